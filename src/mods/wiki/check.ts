import { access } from 'node:fs/promises'
import { envelopeSignatureValid } from '../../events/envelope.js'
import { DatabaseSync } from '../../runtime/sqlite.js'
import { Envelope } from '../../wire/generated/event.js'
import { WIKI_TYPES } from './events.js'
import type { ModCheckPart } from '../contract.js'

/** What checking `wiki.db` found. */
export interface WikiCheck extends ModCheckPart {
  present: boolean
  operations: number
}

const MAX_LISTED = 10

/**
 * Checks the wiki file of a stopped node without changing it: SQLite's integrity check,
 * then every operation must decode, match its row, be a wiki type and carry a valid signature.
 *
 * @example
 * ```ts
 * const { problems } = await checkWikiFile('/home/me/.oa-node/wiki.db')
 * ```
 */
export async function checkWikiFile (path: string): Promise<WikiCheck> {
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
      if (envelope.id !== row.id || envelope.community !== row.community || Number(envelope.timestamp) !== Number(row.ts) || !WIKI_TYPES.has(envelope.type)) note(`${path}: operation ${row.id} does not match its row`)
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
