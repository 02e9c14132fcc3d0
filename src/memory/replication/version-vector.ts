/**
 * What a replica holds of each origin's records: the highest seq with no gap below it
 * (`contiguous`), the seqs held above it, and the highest seq known to exist. Seqs a
 * record covers count as held, so versions replaced by newer ones leave no gap.
 *
 * @example
 * ```ts
 * const vv = new VersionVector()
 * vv.add('12D3KooW...', 1); vv.add('12D3KooW...', 3)
 * vv.contiguous('12D3KooW...')   // 1: seq 2 is missing
 * ```
 */
export class VersionVector {
  /** Per origin: contiguous seq, ranges held above it (sorted, apart), records held, highest seq known. */
  private readonly origins = new Map<string, { contiguous: number, above: Array<[number, number]>, known: number, held: number }>()

  private entry (origin: string): { contiguous: number, above: Array<[number, number]>, known: number, held: number } {
    let e = this.origins.get(origin)
    if (e == null) {
      e = { contiguous: 0, above: [], known: 0, held: 0 }
      this.origins.set(origin, e)
    }
    return e
  }

  /** Records that the replica now holds `seq` of `origin`; false if it already did. */
  add (origin: string, seq: number): boolean {
    if (this.has(origin, seq)) return false
    const e = this.entry(origin)
    e.held++
    this.mark(e, seq, seq)
    return true
  }

  /**
   * Records that seqs `first..last` of `origin` are accounted for without a record of
   * their own (versions a newer one replaced, seqs the origin used elsewhere).
   */
  cover (origin: string, first: number, last: number): void {
    if (last < first) return
    this.mark(this.entry(origin), first, last)
  }

  private mark (e: { contiguous: number, above: Array<[number, number]>, known: number }, first: number, last: number): void {
    e.known = Math.max(e.known, last)
    if (last <= e.contiguous) return
    const ranges = [...e.above, [Math.max(first, e.contiguous + 1), last] as [number, number]].sort((a, b) => a[0] - b[0])
    const merged: Array<[number, number]> = []
    for (const [a, b] of ranges) {
      const prev = merged.at(-1)
      if (prev != null && a <= prev[1] + 1) prev[1] = Math.max(prev[1], b)
      else merged.push([a, b])
    }
    while (merged.length > 0 && (merged[0]?.[0] ?? 0) <= e.contiguous + 1) {
      e.contiguous = Math.max(e.contiguous, merged.shift()?.[1] ?? 0)
    }
    e.above = merged
  }

  has (origin: string, seq: number): boolean {
    const e = this.origins.get(origin)
    return e != null && (seq <= e.contiguous || e.above.some(([a, b]) => seq >= a && seq <= b))
  }

  /** Notes that `seq` of `origin` exists somewhere (gossip, sync), held or not. */
  saw (origin: string, seq: number): void {
    const e = this.entry(origin)
    e.known = Math.max(e.known, seq)
  }

  contiguous (origin: string): number {
    return this.origins.get(origin)?.contiguous ?? 0
  }

  /** Highest seq of `origin` held or covered (0 if none). */
  highest (origin: string): number {
    const e = this.origins.get(origin)
    return e == null ? 0 : Math.max(e.contiguous, e.above.at(-1)?.[1] ?? 0)
  }

  /** (origin, contiguous seq) for a sync request. */
  entries (): Array<{ origin: string, seq: number }> {
    return [...this.origins.entries()].map(([origin, e]) => ({ origin, seq: e.contiguous }))
  }

  /** Per origin: records held, highest seq held, highest seq known, and the lag between them. */
  summary (): Record<string, { records: number, highestSeq: number, knownSeq: number, lag: number }> {
    const out: Record<string, { records: number, highestSeq: number, knownSeq: number, lag: number }> = {}
    for (const [origin, e] of this.origins) {
      const highest = Math.max(e.contiguous, e.above.at(-1)?.[1] ?? 0)
      out[origin] = { records: e.held, highestSeq: highest, knownSeq: e.known, lag: e.known - e.contiguous }
    }
    return out
  }
}
