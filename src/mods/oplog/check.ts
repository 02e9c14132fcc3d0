import { access } from 'node:fs/promises'
import { envelopeSignatureValid } from '../../events/envelope.js'
import { DatabaseSync } from '../../runtime/sqlite.js'
import { Envelope } from '../../wire/generated/event.js'
import type { ModCheckPart } from '../contract.js'

/** What checking a mod's operation file (`wiki.db`, `forum.db`) found. */
export interface OperationFileCheck extends ModCheckPart {
  present: boolean
  operations: number
}

const MAX_LISTED = 10

/**
 * Checks a mod's operation file of a stopped node without changing it: SQLite's
 * integrity check, then every operation must decode, match its row, be one of the mod's
 * `types` and carry a valid signature.
 *
 * @example
 * ```ts
 * const { problems } = await checkOperationFile('/home/me/.oa-node/wiki.db', WIKI_TYPES)
 * ```
 */
export async function checkOperationFile (path: string, types: ReadonlySet<string>): Promise<OperationFileCheck> {
  try {
    await access(path)
  } catch {
    return { present: false, operations: 0, problems: [] }
  }
  const problems: string[] = []
  let bad = 0
  const note = (problem: string): void => { if (++bad <= MAX_LISTED) problems.push(problem) }
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, { readOnly: true })
  } catch (err) {
    return { present: true, operations: 0, problems: [`cannot open ${path}: ${(err as Error).message}`] }
  }
  let operations = 0
  try {
    for (const row of db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check?: string }>) {
      if (row.integrity_check !== 'ok') note(`${path}: SQLite integrity check: ${row.integrity_check ?? '?'}`)
    }
    for (const row of db.prepare('SELECT id, community, ts, envelope FROM operations').iterate() as Iterable<{ id: string, community: string, ts: number | bigint, envelope: Uint8Array }>) {
      operations++
      let envelope: Envelope
      try {
        envelope = Envelope.decode(row.envelope)
      } catch (err) {
        note(`${path}: operation ${row.id} does not decode (${(err as Error).message})`)
        continue
      }
      if (envelope.id !== row.id || envelope.community !== row.community || Number(envelope.timestamp) !== Number(row.ts) || !types.has(envelope.type)) note(`${path}: operation ${row.id} does not match its row`)
      else if (!await envelopeSignatureValid(envelope)) note(`${path}: operation ${row.id}: bad signature`)
    }
  } catch (err) {
    note(`cannot read ${path}: ${(err as Error).message}`)
  } finally {
    db.close()
  }
  if (bad > MAX_LISTED) problems.push(`... and ${bad - MAX_LISTED} more problems`)
  return { present: true, operations, problems }
}
