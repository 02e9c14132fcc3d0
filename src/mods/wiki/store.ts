import { preparePrivateFileSync } from '../../files/private-files.js'
import { DatabaseSync } from '../../runtime/sqlite.js'
import { Envelope } from '../../wire/generated/event.js'
import { OaError } from '../../errors.js'
import type { StatementSync } from '../../runtime/sqlite.js'

/** The wiki file is damaged or cannot be opened. */
export class WikiStoreError extends OaError {
  constructor (message: string) {
    super('wiki_store', message, { status: 500 })
  }
}

/** The schema of `wiki.db`: one row per operation, the signed envelope in the clear. */
export const WIKI_SCHEMA = `CREATE TABLE IF NOT EXISTS operations (
  id TEXT PRIMARY KEY,
  community TEXT NOT NULL,
  ts INTEGER NOT NULL,
  envelope BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS operations_by_community ON operations (community, ts, id);`

/**
 * Every wiki operation this node holds, on disk (SQLite, WAL), kept without retention:
 * a page's history is all of its operations, so none is ever pruned.
 *
 * @example
 * ```ts
 * const store = WikiStore.open('n1/wiki.db')
 * store.add(envelope)             // true the first time
 * store.list('devsupport')        // by (timestamp, id)
 * ```
 */
export class WikiStore {
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

  static open (path: string): WikiStore {
    let db: DatabaseSync | undefined
    try {
      preparePrivateFileSync(path, ['-wal', '-shm'])
      db = new DatabaseSync(path)
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;')
      db.exec(WIKI_SCHEMA)
      return new WikiStore(db)
    } catch (err) {
      db?.close()
      throw new WikiStoreError(`cannot open the wiki ${path}: ${(err as Error).message}`)
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
