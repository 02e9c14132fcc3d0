import { access } from 'node:fs/promises'
import { preparePrivateFileSync } from '../../files/private-files.js'
import { DatabaseSync } from '../../runtime/sqlite.js'
import { OaError } from '../../errors.js'
import { EventTypes } from '../../events/types.js'
import type { EventJson } from '../../events/json.js'
import type { StatementSync } from '../../runtime/sqlite.js'
import type { ModCheckPart } from '../contract.js'

/** Direct exchanges kept per community; the oldest go first past it. */
export const MAX_EXCHANGES_PER_COMMUNITY = 100_000
/** Inserts between two prunings. */
export const PRUNE_EVERY = 1000

/** Bounds of the store (the defaults in production). */
export interface ExchangeStoreLimits {
  maxPerCommunity: number
  pruneEvery: number
}

const TYPES = new Set<string>([EventTypes.DIRECT_REQUEST_SEND, EventTypes.DIRECT_RESPONSE_SEND])

/** The social mod's file cannot be opened or is damaged. */
export class ExchangeStoreError extends OaError {
  override readonly name = 'ExchangeStoreError'

  constructor (message: string) {
    super('social_store', message, { status: 500 })
  }
}

/**
 * The direct exchanges this node took part in, kept in `<data dir>/social.db`: unlike
 * channel posts they are in no history, so the graph would lose them at a restart. Only
 * what the graph needs is kept (id, type, source, target, time), never the payload.
 *
 * @example
 * ```ts
 * const store = ExchangeStore.open('n1/social.db')
 * store.add(requestEvent)
 * for (const event of store.list('devsupport')) fold.add(event)
 * ```
 */
export class ExchangeStore {
  private readonly db: DatabaseSync
  private readonly insert: StatementSync
  private readonly select: StatementSync
  private readonly prune: StatementSync
  private readonly limits: ExchangeStoreLimits
  private sincePrune = 0

  private constructor (db: DatabaseSync, limits: ExchangeStoreLimits) {
    this.db = db
    this.limits = limits
    this.insert = db.prepare('INSERT OR IGNORE INTO exchanges (community, id, type, source, target, ts) VALUES (?, ?, ?, ?, ?, ?)')
    this.select = db.prepare('SELECT id, type, source, target, ts FROM exchanges WHERE community = ? ORDER BY ts, id')
    this.prune = db.prepare(`DELETE FROM exchanges WHERE community = ?1 AND id IN (
      SELECT id FROM exchanges WHERE community = ?1 ORDER BY ts DESC, id DESC LIMIT -1 OFFSET ?2)`)
  }

  /** Opens (creates) the file; throws ExchangeStoreError naming it. */
  static open (path: string, limits: ExchangeStoreLimits = { maxPerCommunity: MAX_EXCHANGES_PER_COMMUNITY, pruneEvery: PRUNE_EVERY }): ExchangeStore {
    let db: DatabaseSync | undefined
    try {
      preparePrivateFileSync(path, ['-wal', '-shm'])
      db = new DatabaseSync(path)
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;')
      db.exec(`CREATE TABLE IF NOT EXISTS exchanges (
        community TEXT NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (community, id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS exchanges_by_time ON exchanges (community, ts, id);`)
      return new ExchangeStore(db, limits)
    } catch (err) {
      db?.close()
      throw new ExchangeStoreError(`cannot open ${path}: ${(err as Error).message}`)
    }
  }

  /** Keeps a direct request or response (other events are not kept); returns whether it was new. */
  add (event: EventJson): boolean {
    if (!TYPES.has(event.type) || event.target == null) return false
    const added = Number(this.insert.run(event.community, event.id, event.type, event.source, event.target, event.timestamp).changes) > 0
    if (added && ++this.sincePrune >= this.limits.pruneEvery) {
      this.sincePrune = 0
      this.prune.run(event.community, this.limits.maxPerCommunity)
    }
    return added
  }

  /** The exchanges kept for a community, oldest first, as events the fold reads. */
  list (community: string): EventJson[] {
    return (this.select.all(community) as Array<{ id: string, type: string, source: string, target: string, ts: number | bigint }>).map((row) => {
      const timestamp = Number(row.ts)
      return { id: row.id, type: row.type, community, source: row.source, target: row.target, timestamp, time: new Date(timestamp).toISOString(), payload: null }
    })
  }

  close (): void {
    this.db.close()
  }
}

/**
 * Checks `social.db` without changing it: SQLite's integrity check, and that every row
 * is a direct exchange between two agent ids.
 *
 * @example
 * ```ts
 * const { problems } = await checkExchangeFile('/home/me/.oa-node/social.db')
 * ```
 */
export async function checkExchangeFile (path: string): Promise<ModCheckPart & { present: boolean, exchanges: number }> {
  try {
    await access(path)
  } catch {
    return { present: false, exchanges: 0, problems: [] }
  }
  const problems: string[] = []
  let exchanges = 0
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, { readOnly: true })
  } catch (err) {
    return { present: true, exchanges: 0, problems: [`cannot open ${path}: ${(err as Error).message}`] }
  }
  try {
    for (const row of db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check?: string }>) {
      if (row.integrity_check !== 'ok') problems.push(`${path}: SQLite integrity check: ${row.integrity_check ?? '?'}`)
    }
    let bad = 0
    for (const row of db.prepare('SELECT id, type, source, target FROM exchanges').iterate() as Iterable<{ id: string, type: string, source: string, target: string }>) {
      exchanges++
      if (!TYPES.has(row.type) || !row.source.includes('@') || !row.target.includes('@')) bad++
    }
    if (bad > 0) problems.push(`${path}: ${bad} rows are not direct exchanges between agents`)
  } catch (err) {
    problems.push(`cannot read ${path}: ${(err as Error).message}`)
  } finally {
    db.close()
  }
  return { present: true, exchanges, problems }
}
