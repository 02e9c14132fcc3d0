import { access } from 'node:fs/promises'
import { DatabaseSync } from '../runtime/sqlite.js'
import { envelopeSignatureValid } from '../events/envelope.js'
import { Envelope } from '../wire/generated/event.js'

/** What checking a channel history file found. */
export interface HistoryCheck {
  /** False when the file does not exist (a node that never ran channels). */
  present: boolean
  messages: number
  /** Problems found; empty when the file is sound. */
  problems: string[]
}

/** Problems reported one by one before they are summed up, so a damaged file gives a readable report. */
const MAX_LISTED = 10

/**
 * Checks a channel history file without changing it: SQLite's full integrity check,
 * then every stored envelope must decode, match its row and carry a valid signature.
 *
 * @example
 * ```ts
 * const { problems, messages } = await checkHistoryFile('/home/me/.oa-node/channels.db')
 * if (problems.length > 0) console.error(problems.join('\n'))
 * ```
 */
export async function checkHistoryFile (path: string): Promise<HistoryCheck> {
  try {
    await access(path)
  } catch {
    return { present: false, messages: 0, problems: [] }
  }
  const problems: string[] = []
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, { readOnly: true })
  } catch (err) {
    return { present: true, messages: 0, problems: [`cannot open ${path}: ${(err as Error).message}`] }
  }
  let messages = 0
  let bad = 0
  const note = (problem: string): void => {
    bad++
    if (bad <= MAX_LISTED) problems.push(problem)
  }
  try {
    const rows = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check?: string }>
    const verdicts = rows.map(r => r.integrity_check ?? '?').filter(v => v !== 'ok')
    for (const v of verdicts) note(`SQLite integrity check: ${v}`)
    const select = db.prepare('SELECT id, community, channel, ts, envelope FROM messages')
    for (const row of select.iterate() as Iterable<{ id: string, community: string, channel: string, ts: number | bigint, envelope: Uint8Array }>) {
      messages++
      let envelope: Envelope
      try {
        envelope = Envelope.decode(row.envelope)
      } catch (err) {
        note(`message ${row.id}: the stored envelope does not decode (${(err as Error).message})`)
        continue
      }
      if (envelope.id !== row.id || envelope.community !== row.community || envelope.channel !== row.channel || Number(envelope.timestamp) !== Number(row.ts)) {
        note(`message ${row.id}: the stored envelope does not match its row`)
      } else if (!await envelopeSignatureValid(envelope)) {
        note(`message ${row.id}: bad signature`)
      }
    }
  } catch (err) {
    note(`cannot read ${path}: ${(err as Error).message}`)
  } finally {
    db.close()
  }
  if (bad > MAX_LISTED) problems.push(`... and ${bad - MAX_LISTED} more problems`)
  return { present: true, messages, problems }
}
