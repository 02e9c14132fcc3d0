import { DatabaseSync } from '../runtime/sqlite.js'
import { preparePrivateFileSync } from '../files/private-files.js'
import { Envelope } from '../wire/generated/event.js'
import type { PostLog, PostedEntry } from './post-log.js'
import type { StatementSync } from '../runtime/sqlite.js'

export interface HistoryStoreInit {
  /** SQLite file, e.g. `<dataDir>/channels.db`. */
  path: string
  /** Newest messages kept per channel. */
  maxPerChannel: number
  /** Oldest message kept, in ms of age. */
  maxAgeMs: number
}

/** The channel history file cannot be opened or is damaged. */
export class HistoryStoreError extends Error {
  override readonly name = 'HistoryStoreError'
}

export interface ListOptions {
  /** Most messages returned (the latest ones). */
  limit: number
  /** Only messages with timestamp strictly before this (ms). */
  before?: number
}

const PRUNE_EVERY = 500

/**
 * The channel messages a node has seen, on disk (SQLite, WAL), deduplicated by id,
 * ordered by (timestamp, id), with retention by count per channel and by age. The
 * messages this node wrote are also kept in write order (the post log), for readers that
 * must see each of them once, across restarts.
 *
 * @example
 * ```ts
 * const store = HistoryStore.open({ path: 'n1/channels.db', maxPerChannel: 10_000, maxAgeMs: 30 * 86_400_000 })
 * store.add(envelope)                                        // true the first time
 * store.list('devsupport', 'general', { limit: 50 })         // oldest first
 * ```
 */
export class HistoryStore implements PostLog {
  private readonly db: DatabaseSync
  private readonly init: HistoryStoreInit
  private readonly insert: StatementSync
  private readonly selectLatest: StatementSync
  private readonly selectBefore: StatementSync
  private readonly selectOne: StatementSync
  private readonly insertPosted: StatementSync
  private readonly selectPosted: StatementSync
  private readonly selectPosition: StatementSync
  private readonly upsertPosition: StatementSync
  private sinceprune = 0
  /** Readers whose unread posts retention spares (while this store is open). */
  private readonly followers = new Set<string>()

  private constructor (db: DatabaseSync, init: HistoryStoreInit) {
    this.db = db
    this.init = init
    this.insert = db.prepare('INSERT OR IGNORE INTO messages (id, community, channel, ts, envelope) VALUES (?, ?, ?, ?, ?)')
    this.selectLatest = db.prepare('SELECT envelope FROM messages WHERE community = ? AND channel = ? ORDER BY ts DESC, id DESC LIMIT ?')
    this.selectBefore = db.prepare('SELECT envelope FROM messages WHERE community = ? AND channel = ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT ?')
    this.selectOne = db.prepare('SELECT envelope FROM messages WHERE id = ?')
    this.insertPosted = db.prepare('INSERT INTO posted (id) VALUES (?)')
    this.selectPosted = db.prepare('SELECT p.n AS n, m.envelope AS envelope FROM posted p JOIN messages m ON m.id = p.id WHERE p.n > ? ORDER BY p.n LIMIT ?')
    this.selectPosition = db.prepare('SELECT position FROM read_positions WHERE reader = ?')
    this.upsertPosition = db.prepare('INSERT INTO read_positions (reader, position) VALUES (?, ?) ON CONFLICT (reader) DO UPDATE SET position = excluded.position')
  }

  static open (init: HistoryStoreInit): HistoryStore {
    let db: DatabaseSync | undefined
    try {
      // SQLite gives the -wal and -shm files the mode of the database file
      preparePrivateFileSync(init.path, ['-wal', '-shm'])
      db = new DatabaseSync(init.path)
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;')
      db.exec(`CREATE TABLE IF NOT EXISTS messages (
        id TEXT PRIMARY KEY,
        community TEXT NOT NULL,
        channel TEXT NOT NULL,
        ts INTEGER NOT NULL,
        envelope BLOB NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS messages_by_channel ON messages (community, channel, ts, id);
      CREATE TABLE IF NOT EXISTS posted (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS read_positions (
        reader TEXT PRIMARY KEY,
        position INTEGER NOT NULL
      ) WITHOUT ROWID;`)
      const check = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined
      if (check?.quick_check !== 'ok') throw new Error(`integrity check failed: ${check?.quick_check ?? 'no answer'}`)
      const store = new HistoryStore(db, init)
      store.prune()
      return store
    } catch (err) {
      db?.close()
      throw new HistoryStoreError(`cannot open channel history ${init.path}: ${(err as Error).message}`)
    }
  }

  /** Stores an envelope; false when its id is already there or it is past retention. */
  add (envelope: Envelope): boolean {
    const ts = Number(envelope.timestamp)
    if (Date.now() - ts > this.init.maxAgeMs) return false
    const result = this.insert.run(envelope.id, envelope.community, envelope.channel, ts, Envelope.encode(envelope))
    if (result.changes === 0) return false
    if (++this.sinceprune >= PRUNE_EVERY) this.prune()
    return true
  }

  /**
   * Stores an envelope this node wrote and appends it to the post log, in one
   * transaction: once this returns, a post log reader will see it, even after a crash.
   * False when its id is already there or it is past retention.
   */
  addLocal (envelope: Envelope): boolean {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const added = this.add(envelope)
      if (added) this.insertPosted.run(envelope.id)
      this.db.exec('COMMIT')
      return added
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw err
    }
  }

  after (position: number, limit: number): PostedEntry[] {
    const rows = this.selectPosted.all(position, limit) as Array<{ n: number, envelope: Uint8Array }>
    return rows.map(r => ({ position: r.n, envelope: Envelope.decode(r.envelope) }))
  }

  position (reader: string): number {
    const row = this.selectPosition.get(reader) as { position: number } | undefined
    return row == null ? 0 : row.position
  }

  savePosition (reader: string, position: number): void {
    this.upsertPosition.run(reader, position)
  }

  has (id: string): boolean {
    return this.selectOne.get(id) != null
  }

  get (id: string): Envelope | undefined {
    const row = this.selectOne.get(id) as { envelope: Uint8Array } | undefined
    return row == null ? undefined : Envelope.decode(row.envelope)
  }

  /** The latest `limit` messages (before `before`), oldest first. */
  list (community: string, channel: string, options: ListOptions): Envelope[] {
    const rows = (options.before == null
      ? this.selectLatest.all(community, channel, options.limit)
      : this.selectBefore.all(community, channel, options.before, options.limit)) as Array<{ envelope: Uint8Array }>
    return rows.reverse().map(r => Envelope.decode(r.envelope))
  }

  /** Messages held per channel of a community. */
  counts (community: string): Record<string, number> {
    const rows = this.db.prepare('SELECT channel, COUNT(*) AS n FROM messages WHERE community = ? GROUP BY channel').all(community) as Array<{ channel: string, n: number }>
    return Object.fromEntries(rows.map(r => [r.channel, r.n]))
  }

  /**
   * Applies retention: age, then count per channel. Posts of this node that a following
   * reader (memory capture) has not read yet are spared, up to twice the per-channel
   * count, so a backlog is captured rather than pruned. Returns the number removed.
   */
  prune (now = Date.now()): number {
    this.sinceprune = 0
    const positions = [...this.followers].map(r => this.position(r))
    const unread = positions.length === 0 ? undefined : Math.min(...positions)
    const spare = unread == null ? '' : ' AND id NOT IN (SELECT id FROM posted WHERE n > ?)'
    const args = unread == null ? [] : [unread]
    let removed = Number(this.db.prepare(`DELETE FROM messages WHERE ts < ?${spare}`).run(now - this.init.maxAgeMs, ...args).changes)
    const over = (limit: number): Array<{ community: string, channel: string }> =>
      this.db.prepare('SELECT community, channel FROM messages GROUP BY community, channel HAVING COUNT(*) > ?').all(limit) as Array<{ community: string, channel: string }>
    for (const { community, channel } of over(this.init.maxPerChannel)) {
      removed += Number(this.db.prepare(`DELETE FROM messages WHERE id IN (
        SELECT id FROM messages WHERE community = ? AND channel = ? ORDER BY ts DESC, id DESC LIMIT -1 OFFSET ?)${spare}`).run(community, channel, this.init.maxPerChannel, ...args).changes)
    }
    // what is spared stays bounded: past twice the count, the oldest go whatever was read
    if (unread != null) {
      for (const { community, channel } of over(2 * this.init.maxPerChannel)) {
        removed += Number(this.db.prepare(`DELETE FROM messages WHERE id IN (
          SELECT id FROM messages WHERE community = ? AND channel = ? ORDER BY ts DESC, id DESC LIMIT -1 OFFSET ?)`).run(community, channel, 2 * this.init.maxPerChannel).changes)
      }
    }
    // a post log entry goes with its message
    if (removed > 0) this.db.prepare('DELETE FROM posted WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = posted.id)').run()
    return removed
  }

  follow (reader: string): void {
    this.followers.add(reader)
  }

  close (): void {
    if (this.db.isOpen) this.db.close()
  }
}
