/**
 * Remembers accepted envelope ids for a time window, to reject replays. Envelopes older
 * than the clock-skew window are rejected anyway, so the window bounds the memory.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>()
  private readonly windowMs: number
  private readonly maxEntries: number

  constructor (windowMs: number, maxEntries = 200_000) {
    this.windowMs = windowMs
    this.maxEntries = maxEntries
  }

  has (id: string, now = Date.now()): boolean {
    const expiry = this.seen.get(id)
    return expiry != null && expiry > now
  }

  add (id: string, now = Date.now()): void {
    this.seen.delete(id)
    this.seen.set(id, now + this.windowMs)
    this.prune(now)
  }

  get size (): number {
    return this.seen.size
  }

  private prune (now: number): void {
    // insertion order is expiry order (every entry gets the same window)
    for (const [id, expiry] of this.seen) {
      if (expiry > now && this.seen.size <= this.maxEntries) break
      this.seen.delete(id)
    }
  }
}
