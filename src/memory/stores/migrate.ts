import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import { lockDataDir } from '../../node/data-dir.js'
import { MemoryStoreError } from '../errors.js'
import { COLUMNS, META_FILE, TABLE, fromRow } from './embedded.js'
import { SqliteStore } from './sqlite/store.js'
import type { Row, StoreMeta } from './embedded.js'
import type { MemoryRecord } from '../types.js'

/** What moving a data dir's memory found and did. */
export interface MigrateResult {
  /** Records read from the embedded store and held by the SQLite store after the move, tombstones included. */
  records: number
  /** Records per community. */
  communities: Record<string, number>
  embedder: string
  dimension: number
}

/** Records written to the SQLite store per transaction. */
const BATCH = 500

type VectorColumn = { length: number, [Symbol.iterator]: () => Iterator<number> } | null

async function readMeta (dir: string): Promise<StoreMeta> {
  const path = join(dir, META_FILE)
  let meta: Partial<StoreMeta>
  try {
    meta = JSON.parse(await readFile(path, 'utf8')) as Partial<StoreMeta>
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MemoryStoreError(`no embedded memory store in ${dir} (${META_FILE} is missing): nothing to move`)
    throw new MemoryStoreError(`cannot read ${path}: ${(err as Error).message}`)
  }
  if (typeof meta.embedder !== 'string' || typeof meta.dimension !== 'number' || !Number.isInteger(meta.dimension) || meta.dimension <= 0) {
    throw new MemoryStoreError(`${path} does not name an embedder and a dimension`)
  }
  return meta as StoreMeta
}

function tally (counts: Map<string, Map<string, number>>, community: string, origin: string): void {
  const byOrigin = counts.get(community) ?? new Map<string, number>()
  byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + 1)
  counts.set(community, byOrigin)
}

/**
 * Copies every record of a stopped node's embedded (LanceDB) memory store into the
 * SQLite store beside it (`<dataDir>/memory/memory.db`): tombstones, signatures, seqs,
 * covers, metadata and vectors exactly as they are, batch by batch. Then checks that
 * the SQLite store holds as many records per community and origin as the embedded one.
 * The data dir is locked meanwhile, so a running node is refused; the LanceDB files are
 * left in place. Moving again changes nothing: a record replaces one only with a higher seq.
 *
 * @example
 * ```ts
 * const { records, communities } = await migrateToSqlite('/home/me/.oa-node')
 * ```
 */
export async function migrateToSqlite (dataDir: string): Promise<MigrateResult> {
  const lock = await lockDataDir(dataDir)
  try {
    const dir = join(dataDir, 'memory')
    const meta = await readMeta(dir)
    const sqlite = await SqliteStore.open({ dir, embedder: { name: meta.embedder, dimension: meta.dimension }, writeWindowMs: 0 })
    const read = new Map<string, Map<string, number>>()
    let records = 0
    try {
      const db = await lancedb.connect(dir)
      try {
        if ((await db.tableNames()).includes(TABLE)) {
          const table = await db.openTable(TABLE)
          try {
            // a table of the first format (before tombstones) lacks their columns: read it as it is
            const fields = new Set((await table.schema()).fields.map(f => f.name))
            let batch: MemoryRecord[] = []
            for await (const page of table.query().select([...COLUMNS.filter(c => fields.has(c)), 'vector'])) {
              for (const raw of page.toArray() as unknown as Array<Row & { vector: VectorColumn }>) {
                const vector = raw.vector == null ? [] : Array.from(raw.vector)
                const record: MemoryRecord = { ...fromRow(raw), vector }
                tally(read, record.community, record.origin)
                records++
                batch.push(record)
                if (batch.length >= BATCH) {
                  await sqlite.upsert(batch)
                  batch = []
                }
              }
            }
            await sqlite.upsert(batch)
          } finally {
            table.close()
          }
        }
      } finally {
        db.close()
      }
      const communities: Record<string, number> = {}
      for (const [community, byOrigin] of read) {
        const held = new Map<string, number>()
        for (const v of await sqlite.versions(community)) held.set(v.origin, (held.get(v.origin) ?? 0) + 1)
        for (const origin of new Set([...byOrigin.keys(), ...held.keys()])) {
          const want = byOrigin.get(origin) ?? 0
          const got = held.get(origin) ?? 0
          if (want !== got) throw new MemoryStoreError(`after the move the SQLite store holds ${got} records of community ${community} from origin ${origin}, the embedded store ${want}; the embedded store is unchanged`)
        }
        communities[community] = [...byOrigin.values()].reduce((a, b) => a + b, 0)
      }
      return { records, communities, embedder: meta.embedder, dimension: meta.dimension }
    } finally {
      await sqlite.close()
    }
  } finally {
    await lock.release()
  }
}
