/**
 * What a replica holds of each origin's records: the highest seq with no gap below it
 * (`contiguous`), the seqs held above it, and the highest seq known to exist.
 *
 * @example
 * ```ts
 * const vv = new VersionVector()
 * vv.add('12D3KooW...', 1); vv.add('12D3KooW...', 3)
 * vv.contiguous('12D3KooW...')   // 1: seq 2 is missing
 * ```
 */
export class VersionVector {
  private readonly origins = new Map<string, { contiguous: number, above: Set<number>, known: number, held: number }>()

  private entry (origin: string): { contiguous: number, above: Set<number>, known: number, held: number } {
    let e = this.origins.get(origin)
    if (e == null) {
      e = { contiguous: 0, above: new Set(), known: 0, held: 0 }
      this.origins.set(origin, e)
    }
    return e
  }

  /** Records that the replica now holds `seq` of `origin`; false if it already did. */
  add (origin: string, seq: number): boolean {
    const e = this.entry(origin)
    if (seq <= e.contiguous || e.above.has(seq)) return false
    e.held++
    e.known = Math.max(e.known, seq)
    if (seq === e.contiguous + 1) {
      e.contiguous = seq
      while (e.above.delete(e.contiguous + 1)) e.contiguous++
    } else {
      e.above.add(seq)
    }
    return true
  }

  has (origin: string, seq: number): boolean {
    const e = this.origins.get(origin)
    return e != null && (seq <= e.contiguous || e.above.has(seq))
  }

  /** Notes that `seq` of `origin` exists somewhere (gossip, sync), held or not. */
  saw (origin: string, seq: number): void {
    const e = this.entry(origin)
    e.known = Math.max(e.known, seq)
  }

  contiguous (origin: string): number {
    return this.origins.get(origin)?.contiguous ?? 0
  }

  /** (origin, contiguous seq) for a sync request. */
  entries (): Array<{ origin: string, seq: number }> {
    return [...this.origins.entries()].map(([origin, e]) => ({ origin, seq: e.contiguous }))
  }

  /** Per origin: records held, highest seq held, highest seq known, and the lag between them. */
  summary (): Record<string, { records: number, highestSeq: number, knownSeq: number, lag: number }> {
    const out: Record<string, { records: number, highestSeq: number, knownSeq: number, lag: number }> = {}
    for (const [origin, e] of this.origins) {
      const highest = Math.max(e.contiguous, ...e.above)
      out[origin] = { records: e.held, highestSeq: highest, knownSeq: e.known, lag: e.known - e.contiguous }
    }
    return out
  }
}
