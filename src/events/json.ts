import { payloadOf } from './envelope.js'
import type { Envelope } from '../wire/generated/event.js'

/** An envelope as the API and `--json` output show it. */
export interface EventJson {
  id: string
  type: string
  community: string
  channel?: string
  source: string
  target?: string
  replyTo?: string
  thread?: string
  /** Milliseconds since the epoch. */
  timestamp: number
  /** ISO 8601 of timestamp. */
  time: string
  payload: unknown
  ttl?: number
}

/**
 * The JSON mapping of an envelope (signature left out; the node verified it).
 *
 * @example
 * ```ts
 * const json = envelopeToJson(env)   // { id, type, community, channel, source, timestamp, time, payload }
 * ```
 */
export function envelopeToJson (envelope: Envelope): EventJson {
  const timestamp = Number(envelope.timestamp)
  const json: EventJson = {
    id: envelope.id,
    type: envelope.type,
    community: envelope.community,
    source: envelope.source,
    timestamp,
    time: new Date(timestamp).toISOString(),
    payload: payloadOf(envelope)
  }
  if (envelope.channel !== '') json.channel = envelope.channel
  if (envelope.target != null) json.target = envelope.target
  if (envelope.replyTo != null) json.replyTo = envelope.replyTo
  if (envelope.thread != null) json.thread = envelope.thread
  if (envelope.ttl !== 0) json.ttl = envelope.ttl
  return json
}
