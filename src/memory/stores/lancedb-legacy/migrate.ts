import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writePrivateFile } from '../../../files/private-files.js'
import { lockDataDir } from '../../../node/data-dir.js'
import { MemoryStoreError } from '../../errors.js'
import { SqliteStore } from '../sqlite/store.js'
import { DB_FILE } from '../sqlite/schema.js'
import { COLUMNS, TABLE, fromRow, hasLegacyStore, loadLanceDb, readLegacyMeta } from './format.js'
import type { Row, VectorColumn } from './format.js'
import type { MemoryRecord } from '../../types.js'

/** What moving a memory folder from LanceDB into SQLite found and did. */
export interface MigrateResult {
  /** Records read from the LanceDB store and held by the SQLite store after the move, tombstones included. */
  records: number
  /** Records per community. */
  communities: Record<string, number>
  embedder: string
  dimension: number
}

/** Records written to the SQLite store per transaction. */
const BATCH = 500
/** Present while a move is under way: a move cut short (a crash) is made again at the next start. */
export const MIGRATING_FILE = 'migrating-from-lancedb'

function tally (counts: Map<string, Map<string, number>>, community: string, origin: string): void {
  const byOrigin = counts.get(community) ?? new Map<string, number>()
  byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + 1)
  counts.set(community, byOrigin)
}

/**
 * Whether a memory folder holds a LanceDB store of release 0.1 that is not (or not
 * wholly) in the SQLite store yet: no `memory.db`, or a move that was cut short.
 *
 * @example
 * ```ts
 * if (legacyStoreToMove('/home/me/.oa-node/memory')) await moveLegacyStore('/home/me/.oa-node/memory')
 * ```
 */
export function legacyStoreToMove (dir: string): boolean {
  return hasLegacyStore(dir) && (!existsSync(join(dir, DB_FILE)) || existsSync(join(dir, MIGRATING_FILE)))
}

/**
 * Copies every record of a LanceDB memory store (release 0.1) into the SQLite store
 * beside it (`memory.db` in the same folder): tombstones, signatures, seqs, covers,
 * metadata and vectors exactly as they are, batch by batch. Then checks that the SQLite
 * store holds as many records per community and origin as the LanceDB one. The LanceDB
 * files are left in place. Moving again changes nothing (a record replaces one only with
 * a higher seq); a move cut short is finished by the next one. The caller holds the data
 * dir lock (see `migrateDataDir`).
 *
 * @example
 * ```ts
 * const { records } = await moveLegacyStore('/home/me/.oa-node/memory')
 * ```
 */
export async function moveLegacyStore (dir: string): Promise<MigrateResult> {
  const meta = await readLegacyMeta(dir)
  const lancedb = await loadLanceDb(dir)
  await writePrivateFile(join(dir, MIGRATING_FILE), `${new Date().toISOString()}\n`)
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
        if (want !== got) throw new MemoryStoreError(`after the move the SQLite store holds ${got} records of community ${community} from origin ${origin}, the LanceDB store ${want}; the LanceDB store is unchanged`)
      }
      communities[community] = [...byOrigin.values()].reduce((a, b) => a + b, 0)
    }
    await sqlite.close()
    await rm(join(dir, MIGRATING_FILE), { force: true })
    return { records, communities, embedder: meta.embedder, dimension: meta.dimension }
  } finally {
    await sqlite.close()
  }
}

/**
 * `oa-node memory migrate`: moves a stopped node's LanceDB memory (release 0.1) into
 * the embedded SQLite store, holding the data dir lock so a running node is refused. A
 * node does the same by itself at its first start on such a data dir.
 *
 * @example
 * ```ts
 * const { records, communities } = await migrateDataDir('/home/me/.oa-node')
 * ```
 */
export async function migrateDataDir (dataDir: string): Promise<MigrateResult> {
  const lock = await lockDataDir(dataDir)
  try {
    return await moveLegacyStore(join(dataDir, 'memory'))
  } finally {
    await lock.release()
  }
}
