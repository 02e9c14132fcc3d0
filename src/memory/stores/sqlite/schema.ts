import { preparePrivateFileSync } from '../../../files/private-files.js'
import { DatabaseSync } from '../../../runtime/sqlite.js'
import type { SignedVector } from '../../types.js'

/** The database file of the SQLite store, in the node's memory folder. */
export const DB_FILE = 'memory.db'
/** The HNSW index file beside it: derived from the database, rebuilt when missing or stale. */
export const INDEX_FILE = 'memory.usearch'
/**
 * Version of the table layout. 2: `records.vector_signature`, the origin's signature of
 * the vector (format 1 had none). 3: `records.signed_vector`, the vector a record's own
 * signature names (embedder, dimension, digest). An earlier database gains the columns
 * at open, empty.
 */
export const FORMAT = 3

/** How the full-text table splits text into terms: Porter stems of Unicode words, accents removed. */
export const TOKENIZE = 'porter unicode61 remove_diacritics 2'

/** Columns of a record row, the vector aside. */
export const RECORD_COLUMNS = 'rid, community, origin, id, kind, agent, seq, text, metadata, created_at, deleted, covers, signature'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
  rid INTEGER PRIMARY KEY,
  community TEXT NOT NULL,
  origin TEXT NOT NULL,
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  agent TEXT NOT NULL,
  seq INTEGER NOT NULL,
  text TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  covers TEXT NOT NULL DEFAULT '',
  signature BLOB NOT NULL,
  vector BLOB NOT NULL,
  vector_signature BLOB,
  signed_vector TEXT,
  UNIQUE (community, origin, id)
);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (community, kind);
CREATE INDEX IF NOT EXISTS records_by_agent ON records (community, agent);
CREATE INDEX IF NOT EXISTS records_by_time ON records (community, created_at);
CREATE INDEX IF NOT EXISTS records_by_id ON records (community, id);
CREATE INDEX IF NOT EXISTS records_by_origin_seq ON records (community, origin, seq);
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5 (text, content = 'records', content_rowid = 'rid', tokenize = '${TOKENIZE}');
CREATE TRIGGER IF NOT EXISTS records_fts_insert AFTER INSERT ON records BEGIN
  INSERT INTO records_fts (rowid, text) VALUES (new.rid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS records_fts_delete AFTER DELETE ON records BEGIN
  INSERT INTO records_fts (records_fts, rowid, text) VALUES ('delete', old.rid, old.text);
END;
CREATE TRIGGER IF NOT EXISTS records_fts_update AFTER UPDATE OF text ON records BEGIN
  INSERT INTO records_fts (records_fts, rowid, text) VALUES ('delete', old.rid, old.text);
  INSERT INTO records_fts (rowid, text) VALUES (new.rid, new.text);
END;
`

/**
 * Pages the write-ahead log grows to before a commit copies it into the database
 * (SQLite's default is 1,000, 4 MiB). A record with its vector spans several pages, and
 * the index and full-text pages a batch of records touches are copied once per
 * checkpoint however often they changed: at 8,192 pages (32 MiB) inserting 11,000
 * records with their 4 KiB vectors took 62-70 µs a record against 85-97 µs at the
 * default (same machine, same rows, best of four runs). The log is emptied (and its
 * space reused) at every checkpoint and when the store closes.
 */
export const WAL_CHECKPOINT_PAGES = 8192

/**
 * Opens (creating when new) the store's database: WAL, full sync (a committed write
 * survives a crash of the process and of the machine), the tables, indexes and the
 * full-text table kept in step by triggers.
 *
 * @example
 * ```ts
 * const db = openDatabase('n1/memory/memory.db')
 * ```
 */
export function openDatabase (path: string): DatabaseSync {
  // SQLite gives the -wal and -shm files the mode of the database file
  preparePrivateFileSync(path, ['-wal', '-shm'])
  const db = new DatabaseSync(path)
  try {
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES};`)
    db.exec(SCHEMA)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/** Whether the `records` table has a column (a database of an earlier format may lack one). */
export function hasColumn (db: DatabaseSync, column: string): boolean {
  return (db.prepare('SELECT name FROM pragma_table_info(\'records\')').all() as Array<{ name: string }>).some(c => c.name === column)
}

/**
 * Brings the table layout of an existing database up to `FORMAT`, in place and in one
 * transaction (nothing is lost: formats 2 and 3 only add the empty `vector_signature` and
 * `signed_vector` columns);
 * refuses a database of a later format, written by a newer release.
 *
 * @example
 * ```ts
 * migrateDatabase(db, 'n1/memory/memory.db')   // format 1 or 2 -> 3
 * ```
 */
export function migrateDatabase (db: DatabaseSync, path: string): void {
  const format = Number(readMeta(db, 'format') ?? '1')
  if (!Number.isInteger(format) || format < 1) throw new Error(`${path} names an unknown table format "${readMeta(db, 'format') ?? ''}"`)
  if (format > FORMAT) throw new Error(`${path} has table format ${format}, made by a newer release (this one reads up to ${FORMAT})`)
  if (format === FORMAT) return
  db.exec('BEGIN IMMEDIATE')
  try {
    if (!hasColumn(db, 'vector_signature')) db.exec('ALTER TABLE records ADD COLUMN vector_signature BLOB')
    if (!hasColumn(db, 'signed_vector')) db.exec('ALTER TABLE records ADD COLUMN signed_vector TEXT')
    writeMeta(db, 'format', String(FORMAT))
    db.exec('COMMIT')
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw err
  }
}

/** A value of the `meta` table, or undefined. */
export function readMeta (db: DatabaseSync, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
  return row?.value
}

/** Sets a value of the `meta` table. */
export function writeMeta (db: DatabaseSync, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value)
}

/**
 * A vector BLOB as float32 values (little-endian, as this machine writes them).
 *
 * @example
 * ```ts
 * vectorOf(row.vector as Uint8Array).length   // the store's dimension
 * ```
 */
export function vectorOf (blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0 && blob.byteLength % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)
  const copy = new Uint8Array(blob.byteLength - (blob.byteLength % 4))
  copy.set(blob.subarray(0, copy.byteLength))
  return new Float32Array(copy.buffer)
}

/** A vector as a float32 BLOB. */
export function vectorBlob (vector: readonly number[]): Uint8Array {
  const values = Float32Array.from(vector)
  return new Uint8Array(values.buffer)
}

/**
 * Float32 values as a plain array (a loop: `Array.from` walks a typed array through its
 * iterator, about 20 times slower at 1,024 values).
 *
 * @example
 * ```ts
 * numbersOf(vectorOf(row.vector))   // [0.12, -0.03, ...]
 * ```
 */
export function numbersOf (values: Float32Array): number[] {
  const out = new Array<number>(values.length)
  for (let i = 0; i < values.length; i++) out[i] = values[i] as number
  return out
}

/**
 * The vector a record's signature names, as the `signed_vector` column holds it: JSON
 * `[embedder, dimension, hex digest]`; null when the record names none.
 *
 * @example
 * ```ts
 * signedVectorText({ embedder: 'local-hash-v2', dimension: 1024, digest })   // '["local-hash-v2",1024,"9f86..."]'
 * ```
 */
export function signedVectorText (v: SignedVector | undefined): string | null {
  return v == null ? null : JSON.stringify([v.embedder, v.dimension, Buffer.from(v.digest.buffer, v.digest.byteOffset, v.digest.byteLength).toString('hex')])
}

/**
 * The `signed_vector` column read back; undefined when empty or unreadable (the record's
 * signature then does not verify, which `oa-node check` reports).
 *
 * @example
 * ```ts
 * signedVectorOfText(row.signed_vector)?.embedder   // 'local-hash-v2'
 * ```
 */
export function signedVectorOfText (text: string | null | undefined): SignedVector | undefined {
  if (text == null || text === '') return undefined
  try {
    const v = JSON.parse(text) as unknown
    if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'number' || typeof v[2] !== 'string' || !/^[0-9a-f]{64}$/.test(v[2])) return undefined
    return { embedder: v[0], dimension: v[1], digest: Uint8Array.from(Buffer.from(v[2], 'hex')) }
  } catch {
    return undefined
  }
}
