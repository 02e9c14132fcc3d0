/** Counts of refused inputs: in all, by reason, and by the path they came in on. */
export interface RejectionCounts<R extends string, P extends string> {
  total: number
  byReason: Record<R, number>
  byPath: Record<P, number>
}

/**
 * Counts refused inputs by reason and by path, every reason and path listed from zero,
 * as `GET /v1/status` reports them.
 *
 * @example
 * ```ts
 * const counter = new RejectionCounter(['decode', 'signature'] as const, ['gossip', 'sync'] as const)
 * counter.add('signature', 'gossip')
 * counter.snapshot()   // { total: 1, byReason: { decode: 0, signature: 1 }, byPath: { gossip: 1, sync: 0 } }
 * ```
 */
export class RejectionCounter<R extends string, P extends string = never> {
  private readonly state: RejectionCounts<R, P>

  constructor (reasons: readonly R[], paths: readonly P[] = []) {
    this.state = {
      total: 0,
      byReason: Object.fromEntries(reasons.map(r => [r, 0])) as Record<R, number>,
      byPath: Object.fromEntries(paths.map(p => [p, 0])) as Record<P, number>
    }
  }

  add (reason: R, path?: P): void {
    this.state.total++
    this.state.byReason[reason]++
    if (path != null) this.state.byPath[path]++
  }

  snapshot (): RejectionCounts<R, P> {
    return structuredClone(this.state)
  }
}
