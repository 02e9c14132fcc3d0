import type { SQLInputValue } from 'node:sqlite'
import type { StatementCache } from './statements.js'

/** How long a filter's breadth is taken as known. */
const KEPT_MS = 2_000
/** Filters remembered at once (the least recently asked dropped past it). */
const MAX_FILTERS = 256

/**
 * Whether more than `exactBelow` live rows pass a filter, the question a vector search
 * asks first (a selective filter is scored exactly, a broad one through the index),
 * counted at most once every two seconds per filter. The answer only chooses the faster
 * way: a stale one gives the same hits, since a search through the index that finds too
 * few rows passing the filter falls back to exact. Counting up to 2,001 rows took 0.35 ms
 * of a 1.2 ms search at 11,000 records.
 *
 * @example
 * ```ts
 * const breadth = new FilterBreadth(statements, 'deleted = 0')
 * breadth.broad(where, 2_000)   // true: the index is worth asking
 * ```
 */
export class FilterBreadth {
  private readonly statements: StatementCache
  private readonly live: string
  private readonly known = new Map<string, { broad: boolean, at: number }>()

  constructor (statements: StatementCache, live: string) {
    this.statements = statements
    this.live = live
  }

  /** Whether more than `exactBelow` live rows pass `where` (its SQL over the alias `r`). */
  broad (where: { sql: string, params: SQLInputValue[] }, exactBelow: number): boolean {
    const key = `${exactBelow}\u0000${where.sql}\u0000${JSON.stringify(where.params, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)}`
    const now = performance.now()
    const held = this.known.get(key)
    if (held != null && now - held.at < KEPT_MS) return held.broad
    const counted = this.statements.get(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM records r WHERE r.${this.live} AND ${where.sql} LIMIT ?)`).get(...where.params, exactBelow + 1) as { n: number }
    const broad = counted.n > exactBelow
    this.known.delete(key)
    if (this.known.size >= MAX_FILTERS) this.known.delete(this.known.keys().next().value as string)
    this.known.set(key, { broad, at: now })
    return broad
  }

  /** Forgets every answer (rows were deleted). */
  clear (): void {
    this.known.clear()
  }
}
