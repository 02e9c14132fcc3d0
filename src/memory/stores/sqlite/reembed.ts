import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { INDEX_FILE, readMeta, writeMeta } from './schema.js'
import type { DatabaseSync } from '../../../runtime/sqlite.js'

/** Rows embedded per transaction: a crash loses at most this much of the work, never a record. */
const BATCH = 128

/** What re-embedding needs: the embedder the store moves to. */
export interface Reembedder {
  readonly name: string
  readonly dimension: number
  embed: (texts: string[]) => Promise<number[][]>
}

/**
 * Re-embeds every record of the database with `to`, in place: the records are the
 * truth and their vectors are derived, so an embedder change keeps every record. Work is
 * committed in batches and recorded in `meta` (`reembed_to`, `reembed_after`), so a
 * crash resumes where it stopped, and a store left half done with another embedder is
 * redone from the start. Kept vector signatures are dropped with the vectors they
 * signed; tombstones get an empty vector. The vector index is removed, to be rebuilt
 * from the new vectors. Returns how many records this call embedded (a resumed run
 * counts only its own).
 *
 * @example
 * ```ts
 * await reembedDatabase(db, 'n1/memory', neural, (done, total) => log('re-embedded %d of %d', done, total))
 * ```
 */
export async function reembedDatabase (db: DatabaseSync, dir: string, to: Reembedder, progress?: (done: number, total: number) => void): Promise<number> {
  const resumable = readMeta(db, 'reembed_to') === to.name
  const kept = Number(readMeta(db, 'reembed_after') ?? '0')
  let after = resumable && Number.isSafeInteger(kept) && kept >= 0 ? kept : 0
  db.exec('BEGIN')
  writeMeta(db, 'reembed_to', to.name)
  writeMeta(db, 'reembed_after', String(after))
  // an index of the old vectors must never be loaded again
  writeMeta(db, 'index_generation', '')
  db.exec('COMMIT')
  rmSync(join(dir, INDEX_FILE), { force: true })
  const total = (db.prepare('SELECT COUNT(*) AS n FROM records WHERE deleted = 0').get() as { n: number }).n
  let done = (db.prepare('SELECT COUNT(*) AS n FROM records WHERE deleted = 0 AND rid <= ?').get(after) as { n: number }).n
  const before = done
  const select = db.prepare('SELECT rid, text, deleted FROM records WHERE rid > ? ORDER BY rid LIMIT ?')
  const update = db.prepare('UPDATE records SET vector = ?, vector_signature = NULL WHERE rid = ?')
  const empty = new Uint8Array(new Float32Array(to.dimension).buffer)
  for (;;) {
    const rows = select.all(after, BATCH) as Array<{ rid: number, text: string, deleted: number }>
    if (rows.length === 0) break
    const live = rows.filter(r => r.deleted === 0)
    const vectors = live.length === 0 ? [] : await to.embed(live.map(r => r.text))
    const byRid = new Map(live.map((r, i) => [r.rid, vectors[i]]))
    db.exec('BEGIN')
    try {
      for (const row of rows) {
        const vector = byRid.get(row.rid)
        if (vector != null && vector.length !== to.dimension) throw new Error(`${to.name} gave a vector of ${vector.length} dimensions, not ${to.dimension}`)
        update.run(vector == null ? empty : new Uint8Array(Float32Array.from(vector).buffer), row.rid)
      }
      after = rows[rows.length - 1]?.rid ?? after
      writeMeta(db, 'reembed_after', String(after))
      db.exec('COMMIT')
    } catch (err) {
      db.exec('ROLLBACK')
      throw err
    }
    done += live.length
    progress?.(done, total)
  }
  db.exec('BEGIN')
  writeMeta(db, 'embedder', to.name)
  writeMeta(db, 'dimension', String(to.dimension))
  db.prepare("DELETE FROM meta WHERE key IN ('reembed_to', 'reembed_after')").run()
  db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'").run()
  db.exec('COMMIT')
  return done - before
}
