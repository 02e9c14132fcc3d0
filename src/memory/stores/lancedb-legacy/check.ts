import { verifyRecord } from '../../record.js'
import { COLUMNS, TABLE, fromRow, loadLanceDb, readLegacyMeta, recordKey } from './format.js'
import type { LegacyTable, Row, StoreMeta, VectorColumn } from './format.js'
import type { MemoryStoreCheck } from '../sqlite/check.js'

/** What checking a LanceDB store of release 0.1 found. */
export interface LegacyStoreCheck extends Omit<MemoryStoreCheck, 'store'> {
  store: 'lancedb'
}

const MAX_LISTED = 10

/**
 * Checks a LanceDB memory store of release 0.1 (not moved into SQLite yet) without changing it: the store file names
 * the embedder, the table opens and every row reads back, every record's signature is
 * valid for its origin (tombstones too), every vector has the store's dimension and
 * finite values, and no (community, origin, id) appears twice.
 *
 * @example
 * ```ts
 * const report = await checkLegacyStore('/home/me/.oa-node/memory')
 * console.log(report.records, report.problems)
 * ```
 */
export async function checkLegacyStore (dir: string): Promise<LegacyStoreCheck> {
  const report: LegacyStoreCheck = { store: 'lancedb', present: true, records: 0, communities: {}, problems: [] }
  let bad = 0
  const note = (problem: string): void => {
    bad++
    if (bad <= MAX_LISTED) report.problems.push(problem)
  }
  let meta: StoreMeta
  try {
    meta = await readLegacyMeta(dir)
  } catch (err) {
    note(`store description: ${(err as Error).message}`)
    return report
  }
  report.embedder = meta.embedder
  report.dimension = meta.dimension
  let table: LegacyTable | undefined
  try {
    const lancedb = await loadLanceDb(dir)
    const db = await lancedb.connect(dir)
    // killed between writing the store file and creating the table: nothing was stored yet
    if (!(await db.tableNames()).includes(TABLE)) return report
    table = await db.openTable(TABLE)
    const expected = await table.countRows()
    const seen = new Set<string>()
    // a table of the first format (before tombstones) gets its new columns when a node opens it; read it as it is
    const fields = new Set((await table.schema()).fields.map(f => f.name))
    for await (const batch of table.query().select([...COLUMNS.filter(c => fields.has(c)), 'vector'])) {
      for (const raw of batch.toArray() as unknown as Array<Row & { vector: VectorColumn }>) {
        report.records++
        const record = fromRow(raw)
        report.communities[record.community] = (report.communities[record.community] ?? 0) + 1
        const what = record.deleted === true ? 'tombstone' : 'record'
        if (seen.has(recordKey(record))) note(`record ${record.id} of ${record.origin} is stored twice`)
        seen.add(recordKey(record))
        try {
          JSON.parse(raw.metadata)
        } catch {
          note(`record ${record.id}: metadata is not JSON`)
        }
        const vector = raw.vector == null ? [] : [...raw.vector]
        if (vector.length !== meta.dimension) note(`record ${record.id}: vector has ${vector.length} dimensions, the store ${meta.dimension}`)
        else if (!vector.every(Number.isFinite)) note(`record ${record.id}: vector holds a value that is not a finite number`)
        if (!await verifyRecord(record)) note(`${what} ${record.id}: bad signature for origin ${record.origin}`)
      }
    }
    if (report.records !== expected) note(`the table counts ${expected} rows but ${report.records} read back`)
    await table.listIndices()
  } catch (err) {
    note(`cannot read the memory table in ${dir}: ${(err as Error).message}`)
  } finally {
    table?.close()
  }
  if (bad > MAX_LISTED) report.problems.push(`... and ${bad - MAX_LISTED} more problems`)
  return report
}
