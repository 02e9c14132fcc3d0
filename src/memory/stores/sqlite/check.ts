import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from '../../../runtime/sqlite.js'
import { verifyRecord } from '../../record.js'
import { keptVector, verifyVector } from '../../replication/vector.js'
import { fromColumns, decodeMetadata } from '../columns.js'
import { DB_FILE, FORMAT, RECORD_COLUMNS, hasColumn, numbersOf, signedVectorOfText, vectorOf } from './schema.js'
import type { RecordRow } from './store.js'

/** What checking a memory store found. */
export interface MemoryStoreCheck {
  /** Which files were checked: the SQLite store, or a LanceDB store of release 0.1 not moved yet. */
  store: 'sqlite' | 'lancedb'
  /** False when there is no store (memory was never used, or runs on Milvus). */
  present: boolean
  embedder?: string
  dimension?: number
  records: number
  /** Records per community. */
  communities: Record<string, number>
  /** Problems found; empty when the store is sound. */
  problems: string[]
}

/** What checking a SQLite memory store found. */
export interface SqliteStoreCheck extends MemoryStoreCheck {
  store: 'sqlite'
}

const MAX_LISTED = 10

interface CheckedRow extends RecordRow {
  vector: Uint8Array
  vector_signature: Uint8Array | null
  signed_vector: string | null
}

/**
 * Checks a SQLite memory store (`<dir>/memory.db`) without changing it: SQLite's
 * integrity check (tables, indexes and the full-text table), the embedder it was made
 * with and its table format, and every row: it decodes, its metadata is JSON, its vector
 * has the store's dimension and finite values, its signature is valid for its origin
 * (tombstones too), and so is the origin's signature of its vector where one is kept.
 * A database of format 1 (no vector signatures; brought up to date at the next open)
 * reads as sound.
 * The vector index beside it is not checked: it is rebuilt from the rows when unsound.
 *
 * @example
 * ```ts
 * const report = checkSqliteStore('/home/me/.oa-node/memory')
 * console.log(report.present, report.records, report.problems)
 * ```
 */
export async function checkSqliteStore (dir: string): Promise<SqliteStoreCheck> {
  const report: SqliteStoreCheck = { store: 'sqlite', present: false, records: 0, communities: {}, problems: [] }
  const path = join(dir, DB_FILE)
  if (!existsSync(path)) return report
  report.present = true
  let bad = 0
  const note = (problem: string): void => {
    bad++
    if (bad <= MAX_LISTED) report.problems.push(problem)
  }
  let db: DatabaseSync | undefined
  try {
    db = new DatabaseSync(path, { readOnly: true })
    const integrity = (db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>).map(r => r.integrity_check)
    if (integrity.join() !== 'ok') for (const line of integrity) note(`integrity check: ${line}`)
    const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string, value: string }>).map(r => [r.key, r.value]))
    const dimension = Number(meta.get('dimension'))
    if (meta.get('embedder') == null || !Number.isInteger(dimension) || dimension <= 0) {
      note(`${path} does not name an embedder and a dimension`)
    } else {
      report.embedder = meta.get('embedder')
      report.dimension = dimension
    }
    const format = Number(meta.get('format') ?? '1')
    if (!Number.isInteger(format) || format < 1) note(`${path} names an unknown table format "${meta.get('format') ?? ''}"`)
    else if (format > FORMAT) note(`${path} has table format ${format}, made by a newer release (this one reads up to ${FORMAT})`)
    const signatures = hasColumn(db, 'vector_signature') ? 'vector_signature' : 'NULL AS vector_signature'
    const signedVectors = hasColumn(db, 'signed_vector') ? 'signed_vector' : 'NULL AS signed_vector'
    for (const raw of db.prepare(`SELECT ${RECORD_COLUMNS}, vector, ${signatures}, ${signedVectors} FROM records`).iterate() as Iterable<CheckedRow>) {
      report.records++
      const signedVector = signedVectorOfText(raw.signed_vector)
      if (raw.signed_vector != null && signedVector == null) note(`record ${raw.id}: its signed vector column is unreadable`)
      const record = { ...fromColumns({ ...raw, metadata: decodeMetadata(raw.metadata), deleted: raw.deleted === 1 }), ...(signedVector == null ? {} : { signedVector }) }
      report.communities[record.community] = (report.communities[record.community] ?? 0) + 1
      const what = record.deleted === true ? 'tombstone' : 'record'
      try {
        JSON.parse(raw.metadata)
      } catch {
        note(`record ${record.id}: metadata is not JSON`)
      }
      if (report.dimension != null) {
        const vector = raw.vector instanceof Uint8Array && raw.vector.byteLength % 4 === 0 ? vectorOf(raw.vector) : undefined
        if (vector?.length !== report.dimension) note(`record ${record.id}: vector has ${vector?.length ?? 'no'} dimensions, the store ${report.dimension}`)
        else if (!vector.every(Number.isFinite)) note(`record ${record.id}: vector holds a value that is not a finite number`)
        else if (raw.vector_signature != null && report.embedder != null &&
          !await verifyVector(record, keptVector({ name: report.embedder, dimension: report.dimension }, numbersOf(vector), raw.vector_signature))) {
          note(`${what} ${record.id}: bad vector signature for origin ${record.origin}`)
        }
      }
      if (!await verifyRecord(record)) note(`${what} ${record.id}: bad signature for origin ${record.origin}`)
    }
  } catch (err) {
    note(`cannot read the memory store ${path}: ${(err as Error).message}`)
  } finally {
    db?.close()
  }
  if (bad > MAX_LISTED) report.problems.push(`... and ${bad - MAX_LISTED} more problems`)
  return report
}
