import type { DatabaseSync, StatementSync } from '../../../runtime/sqlite.js'

/**
 * Prepared statements of one database, kept by their SQL: a query shape is compiled
 * once, however often it runs. Shapes that vary with the filter (the number of
 * communities or ids bound) are kept too, the least recently used dropped past `max`.
 *
 * @example
 * ```ts
 * const statements = new StatementCache(db)
 * statements.get('SELECT COUNT(*) AS n FROM records WHERE community = ?').get('devsupport')
 * ```
 */
export class StatementCache {
  private readonly db: DatabaseSync
  private readonly max: number
  private readonly held = new Map<string, StatementSync>()

  constructor (db: DatabaseSync, max = 256) {
    this.db = db
    this.max = max
  }

  /** The statement for `sql`, prepared at its first use. */
  get (sql: string): StatementSync {
    let statement = this.held.get(sql)
    if (statement != null) {
      // most recently used last: the first key is the one dropped
      this.held.delete(sql)
    } else {
      statement = this.db.prepare(sql)
      if (this.held.size >= this.max) this.held.delete(this.held.keys().next().value as string)
    }
    this.held.set(sql, statement)
    return statement
  }
}
