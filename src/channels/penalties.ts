/**
 * Counts invalid messages per peer, decaying over time, and turns them into a
 * gossipsub application-specific score. With gossipsub's default weight (10) and
 * graylist threshold (-80), a peer that sends about nine invalid messages in a short
 * time is graylisted: gossipsub ignores everything it sends until the count decays.
 *
 * @example
 * ```ts
 * const penalties = new PeerPenalties()
 * gossipsub({ scoreParams: { appSpecificScore: (p) => penalties.score(p) } })
 * penalties.penalize('12D3KooW...')
 * ```
 */
export class PeerPenalties {
  private readonly counts = new Map<string, { value: number, at: number }>()
  private readonly halfLifeMs: number
  private readonly maxPeers: number

  constructor (halfLifeMs = 5 * 60_000, maxPeers = 10_000) {
    this.halfLifeMs = halfLifeMs
    this.maxPeers = maxPeers
  }

  private current (peer: string, now: number): number {
    const entry = this.counts.get(peer)
    if (entry == null) return 0
    return entry.value * Math.pow(0.5, (now - entry.at) / this.halfLifeMs)
  }

  /** Records one invalid message from `peer`. */
  penalize (peer: string, now = Date.now()): void {
    this.penalizeBy(peer, 1, now)
  }

  /**
   * Records `amount` invalid messages' worth of misbehaviour from `peer` (a refused
   * request over a limit costs less than an invalid message).
   *
   * @example
   * ```ts
   * penalties.penalizeBy('12D3KooW...', 0.5)
   * ```
   */
  penalizeBy (peer: string, amount: number, now = Date.now()): void {
    const value = this.current(peer, now) + amount
    this.counts.delete(peer)
    this.counts.set(peer, { value, at: now })
    if (this.counts.size > this.maxPeers) {
      const oldest = this.counts.keys().next().value
      if (oldest != null) this.counts.delete(oldest)
    }
  }

  /** The app-specific score: minus the decayed count of invalid messages. */
  score (peer: string, now = Date.now()): number {
    const value = this.current(peer, now)
    if (value < 0.01) {
      this.counts.delete(peer)
      return 0
    }
    return -value
  }
}
