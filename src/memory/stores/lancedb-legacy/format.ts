import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MemoryStoreError } from '../../errors.js'
import { decodeMetadata, fromColumns } from '../columns.js'
import type { StoredRecord } from '../../types.js'

/**
 * The files of the LanceDB memory store of release 0.1 (`<dataDir>/memory/store.json`
 * and the table `memory/memory.lance`), read only to move them into the embedded SQLite
 * store. Nothing here writes them.
 */

/** The store description file: embedder, dimension, format. */
export const META_FILE = 'store.json'
/** The table's name (its folder is `memory.lance`). */
export const TABLE = 'memory'
/** The table's folder inside the memory folder. */
export const TABLE_DIR = `${TABLE}.lance`

export interface StoreMeta {
  embedder: string
  dimension: number
  createdAt: string
  format: number
}

/** The columns of a row, the vector aside; the first format lacks `deleted` and `covers`. */
export const COLUMNS = ['id', 'community', 'kind', 'agent', 'origin', 'seq', 'text', 'metadata', 'created_at', 'signature', 'deleted', 'covers']

/** A row of the table as LanceDB returns it. */
export interface Row {
  id: string
  community: string
  kind: string
  agent: string
  origin: string
  seq: bigint | number
  text: string
  metadata: string
  created_at: bigint | number
  signature: Uint8Array | null
  deleted?: boolean | null
  /** JSON of the covered seq ranges, or empty. */
  covers?: string | null
}

/** A vector column value (an Arrow vector or a plain array). */
export type VectorColumn = { length: number, [Symbol.iterator]: () => Iterator<number> } | null

/** The key a record was stored under: one record per (community, origin, id). */
export function recordKey (r: { community: string, origin: string, id: string }): string {
  return `${r.community}\u0000${r.origin}\u0000${r.id}`
}

/** A row as a record without vector. */
export function fromRow (row: Row): StoredRecord {
  return fromColumns({ ...row, metadata: decodeMetadata(row.metadata), signature: row.signature ?? new Uint8Array(0) })
}

/**
 * Whether a memory folder holds a LanceDB store of release 0.1 (its `store.json`).
 *
 * @example
 * ```ts
 * if (hasLegacyStore('/home/me/.oa-node/memory')) console.log('memory moves to SQLite at the next start')
 * ```
 */
export function hasLegacyStore (dir: string): boolean {
  return existsSync(join(dir, META_FILE))
}

/**
 * Reads `store.json` of a LanceDB store: the embedder and dimension its vectors were made with.
 *
 * @example
 * ```ts
 * const { embedder, dimension } = await readLegacyMeta('/home/me/.oa-node/memory')
 * ```
 */
export async function readLegacyMeta (dir: string): Promise<StoreMeta> {
  const path = join(dir, META_FILE)
  let meta: Partial<StoreMeta>
  try {
    meta = JSON.parse(await readFile(path, 'utf8')) as Partial<StoreMeta>
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MemoryStoreError(`no LanceDB memory store in ${dir} (${META_FILE} is missing): nothing to move`)
    throw new MemoryStoreError(`cannot read ${path}: ${(err as Error).message}`)
  }
  if (typeof meta.embedder !== 'string' || typeof meta.dimension !== 'number' || !Number.isInteger(meta.dimension) || meta.dimension <= 0) {
    throw new MemoryStoreError(`${path} does not name an embedder and a dimension`)
  }
  return meta as StoreMeta
}

/** The few calls of a LanceDB table that reading a 0.1 store needs. */
export interface LegacyTable {
  schema: () => Promise<{ fields: Array<{ name: string }> }>
  countRows: () => Promise<number>
  listIndices: () => Promise<unknown>
  query: () => { select: (columns: string[]) => AsyncIterable<{ toArray: () => unknown[] }> }
  close: () => void
}

/** The few calls of a LanceDB connection that reading a 0.1 store needs. */
export interface LegacyConnection {
  tableNames: () => Promise<string[]>
  openTable: (name: string) => Promise<LegacyTable>
  close: () => void
}

/** The LanceDB module as reading a 0.1 store uses it (an optional dependency: its own types are not part of this package's). */
export interface LegacyLanceDb {
  connect: (dir: string) => Promise<LegacyConnection>
}

/**
 * The LanceDB module, loaded only to read a store of release 0.1; a clear error when it is not installed.
 *
 * @example
 * ```ts
 * const db = await (await loadLanceDb(dir)).connect(dir)
 * ```
 */
export async function loadLanceDb (dir: string): Promise<LegacyLanceDb> {
  try {
    const lancedb: LegacyLanceDb = await import('@lancedb/lancedb')
    return lancedb
  } catch (err) {
    throw new MemoryStoreError(`${dir} holds memory in the LanceDB format of oa-node 0.1, and reading it needs the optional package @lancedb/lancedb, which is not installed (${(err as Error).message.split('\n')[0]}); install it with "npm install @lancedb/lancedb" and start again`)
  }
}
