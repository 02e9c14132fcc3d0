import { preparePrivateFileSync } from '../../files/private-files.js'
import { DatabaseSync } from '../../runtime/sqlite.js'
import { Envelope } from '../../wire/generated/event.js'
import { OaError } from '../../errors.js'
import type { StatementSync } from '../../runtime/sqlite.js'

/** A mod's operation file is damaged or cannot be opened. */
export class OperationStoreError extends OaError {
  constructor (message: string) {
    super('operation_store', message, { status: 500 })
  }
}

/** The schema of a mod's operation file (`wiki.db`, `forum.db`): one row per operation, the signed envelope in the clear. */
export const OPERATION_SCHEMA = `CREATE TABLE IF NOT EXISTS operations (
  id TEXT PRIMARY KEY,
  community TEXT NOT NULL,
  ts INTEGER NOT NULL,
  envelope BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS operations_by_community ON operations (community, ts, id);`

/**
 * Every operation of one mod this node holds, on disk (SQLite, WAL), kept without
 * retention: a wiki page's or a forum thread's state is all of its operations, so none
 * is ever pruned (channel history keeps only the recent ones).
 *
 * @example
 * ```ts
 * const store = OperationStore.open('n1/wiki.db')
 * store.add(envelope)             // true the first time
 * store.list('devsupport')        // by (timestamp, id)
 * ```
 */
export class OperationStore {
  private readonly db: DatabaseSync
  private readonly insert: StatementSync
  private readonly selectCommunity: StatementSync
  private readonly selectOne: StatementSync

  private constructor (db: DatabaseSync) {
    this.db = db
    this.insert = db.prepare('INSERT OR IGNORE INTO operations (id, community, ts, envelope) VALUES (?, ?, ?, ?)')
    this.selectCommunity = db.prepare('SELECT envelope FROM operations WHERE community = ? ORDER BY ts, id')
    this.selectOne = db.prepare('SELECT 1 AS one FROM operations WHERE id = ?')
  }

  static open (path: string): OperationStore {
    let db: DatabaseSync | undefined
    try {
      preparePrivateFileSync(path, ['-wal', '-shm'])
      db = new DatabaseSync(path)
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;')
      db.exec(OPERATION_SCHEMA)
      return new OperationStore(db)
    } catch (err) {
      db?.close()
      throw new OperationStoreError(`cannot open ${path}: ${(err as Error).message}`)
    }
  }

  /** Stores an operation (in the clear); false when its id is held already. */
  add (envelope: Envelope): boolean {
    return this.insert.run(envelope.id, envelope.community, Number(envelope.timestamp), Envelope.encode(envelope)).changes > 0
  }

  has (id: string): boolean {
    return this.selectOne.get(id) != null
  }

  /** Every operation of a community, by (timestamp, id). */
  * list (community: string): Generator<Envelope> {
    for (const row of this.selectCommunity.iterate(community) as Iterable<{ envelope: Uint8Array }>) yield Envelope.decode(row.envelope)
  }

  close (): void {
    if (this.db.isOpen) this.db.close()
  }
}
