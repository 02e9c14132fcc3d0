import { peerIdFromString } from '@libp2p/peer-id'
import { Envelope } from '../wire/generated/event.js'
import { payloadOf, signingBytes } from './envelope.js'
import { AGENT_NAME, CHANNEL_NAME, EVENT_TYPE } from './types.js'
import { openEnvelope } from '../communities/sealed-envelope.js'
import type { EventCatalog } from './registry.js'
import type { ReplayCache } from './replay-cache.js'
import type { CommunitySealer } from '../communities/access.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Why an inbound envelope was rejected; each reason has its own counter. */
export const REJECT_REASONS = ['decode', 'size', 'community', 'topic', 'type', 'clock', 'replay', 'signature', 'source', 'payload', 'target', 'sealed', 'key', 'membership', 'rule'] as const
export type RejectReason = typeof REJECT_REASONS[number]

/** An inbound envelope failed validation; `reason` says which check. */
export class EnvelopeRejectedError extends Error {
  override readonly name = 'EnvelopeRejectedError'
  readonly reason: RejectReason

  constructor (reason: RejectReason, message: string) {
    super(message)
    this.reason = reason
  }
}

export interface ValidationRules {
  /** Largest encoded envelope accepted, in bytes. */
  maxBytes: number
  /** Largest difference between the envelope's timestamp and now, in ms. */
  maxSkewMs: number
  /** Accept envelopes older than the skew (history); the future limit still applies. */
  allowPast?: boolean
  /** Which types this path carries. */
  allowType: (type: string) => boolean
  /** The registered event types: payload schemas and the role each type's author needs. */
  events: EventCatalog
  /** Communities this node joined. */
  isMember: (community: string) => boolean
  /** The community the topic or request names; the envelope must match it. */
  community?: string
  /** The channel the topic or request names; the envelope must match it. */
  channel?: string
  /** The peer that sent it (gossip publisher, stream remote); must be the source's peer, when set. */
  sender?: string
  /** Reject ids seen before; the id is recorded when the envelope is accepted. */
  replay?: ReplayCache
  /** The community is private: its envelopes travel sealed, and this opens them. */
  sealer?: CommunitySealer
  /** Does this node hold the key of that epoch? A newer one is `key`, not `sealed`: the sender is not at fault. */
  hasEpoch?: (epoch: number) => boolean
  /**
   * May the author's peer write to the community at the time the envelope names?
   * Checked once the signature proves who the author is. Absent: anyone may.
   */
  mayWrite?: (peer: string, at: number, community: string) => boolean
  /**
   * Is the author's peer an admin of the community at that time? Asked for types whose
   * author must be an admin (EventSpec `access`); absent: no one is.
   */
  isAdmin?: (peer: string, at: number, community: string) => boolean
  /**
   * The owning mod's own rule for an envelope in the clear, once its author is proven and
   * may write (e.g. the wiki: only a page's owner edits it directly). Returns why it is
   * refused (`rule`), or undefined to accept it.
   */
  admit?: (envelope: Envelope) => string | undefined
  now?: () => number
}

function reject (reason: RejectReason, message: string): never {
  throw new EnvelopeRejectedError(reason, message)
}

/**
 * When the sending peer is known (gossip publisher, stream remote), it must be allowed to
 * write before anything else is looked at: a refusal then says nothing about the content
 * (a non-member cannot probe with bad clocks or signatures), and a flood of envelopes it
 * may not write costs it score however they are sealed.
 */
function senderMayWrite (rules: ValidationRules, community: string): void {
  if (rules.sender == null || rules.mayWrite == null) return
  if (!rules.mayWrite(rules.sender, (rules.now ?? Date.now)(), community)) reject('membership', `${rules.sender} may not write to community "${community.slice(0, 64)}" (not a member, or a reader)`)
}

/**
 * Decodes and checks an inbound envelope: size, decoding, type, community and channel,
 * clock, payload shape, source, signature and replay, in that order. Returns the
 * envelope or throws EnvelopeRejectedError.
 *
 * @example
 * ```ts
 * const env = await validateEnvelope(bytes, { maxBytes: 65536, maxSkewMs: 300_000, events: registry,
 *   allowType: t => registry.carries(t, 'channel'), isMember: c => c === 'devsupport' })
 * ```
 */
export async function validateEnvelope (bytes: Uint8Array | Uint8ArrayList, rules: ValidationRules): Promise<Envelope> {
  if (bytes.byteLength > rules.maxBytes) reject('size', `envelope of ${bytes.byteLength} bytes is over the ${rules.maxBytes}-byte limit`)
  let envelope: Envelope
  try {
    envelope = Envelope.decode(bytes)
  } catch (err) {
    reject('decode', `cannot decode envelope: ${(err as Error).message}`)
  }
  return checkEnvelope(envelope, rules)
}

/**
 * The checks of `validateEnvelope` on an envelope that is already decoded (history
 * frames). Returns the envelope in the clear (opened, when its community is private).
 */
export async function checkEnvelope (wire: Envelope, rules: ValidationRules): Promise<Envelope> {
  if (wire.id === '' || wire.id.length > 64) reject('decode', 'envelope has no valid id')
  let envelope = wire
  if (!EVENT_TYPE.test(envelope.type)) reject('type', `malformed event type "${envelope.type.slice(0, 100)}"`)
  if (!rules.allowType(envelope.type)) reject('type', `event type ${envelope.type} is not accepted here`)
  if (rules.sealer == null && envelope.epoch !== 0) reject('sealed', `a sealed envelope (epoch ${envelope.epoch}) in a community whose content travels in the clear`)
  if (rules.sealer != null) {
    // a sealed envelope names its community by the wire name; opening restores the name
    if (envelope.epoch === 0) reject('sealed', `community "${rules.sealer.name}" is private: its envelopes must be sealed`)
    if (envelope.community !== rules.sealer.wireName) reject('community', 'a sealed envelope names another community than the topic or request')
    senderMayWrite(rules, rules.sealer.name)
    if (rules.hasEpoch?.(envelope.epoch) === false) reject('key', `sealed with the key of epoch ${envelope.epoch}, which this node does not hold (yet)`)
    try {
      envelope = openEnvelope(envelope, rules.sealer)
    } catch (err) {
      reject('sealed', `cannot open the sealed envelope: ${(err as Error).message}`)
    }
  }
  if (rules.community != null && envelope.community !== rules.community) reject('community', `envelope names community "${envelope.community.slice(0, 64)}", expected "${rules.community}"`)
  if (!rules.isMember(envelope.community)) reject('community', `this node has not joined community "${envelope.community.slice(0, 64)}"`)
  if (rules.sealer == null) senderMayWrite(rules, envelope.community)
  if (rules.channel != null && envelope.channel !== rules.channel) reject('topic', `envelope names channel "${envelope.channel.slice(0, 64)}", expected "${rules.channel}"`)
  if (envelope.channel !== '' && !CHANNEL_NAME.test(envelope.channel)) reject('topic', 'malformed channel name')

  const now = (rules.now ?? Date.now)()
  const ts = Number(envelope.timestamp)
  if (ts - now > rules.maxSkewMs) reject('clock', `timestamp is ${Math.round((ts - now) / 1000)}s in the future`)
  if (rules.allowPast !== true && now - ts > rules.maxSkewMs) reject('clock', `timestamp is ${Math.round((now - ts) / 1000)}s in the past`)

  let payload: unknown
  try {
    payload = payloadOf(envelope)
  } catch {
    reject('payload', 'payload is not JSON')
  }
  const schema = rules.events.payloadSchema(envelope.type)
  if (schema != null) {
    const result = schema.safeParse(payload)
    if (!result.success) reject('payload', `payload does not match ${envelope.type}: ${result.error.issues[0]?.message ?? 'invalid'}`)
  }

  const at = envelope.source.lastIndexOf('@')
  const name = envelope.source.slice(0, at)
  const peer = envelope.source.slice(at + 1)
  if (at <= 0 || !AGENT_NAME.test(name)) reject('source', 'source is not <agent>@<peer id>')
  if (rules.sender != null && peer !== rules.sender) reject('source', `source peer ${peer.slice(0, 64)} is not the sending peer ${rules.sender}`)
  let ok = false
  try {
    const key = peerIdFromString(peer).publicKey
    if (key == null) reject('source', 'the source peer id carries no public key')
    ok = await key.verify(signingBytes(envelope), envelope.signature)
  } catch (err) {
    if (err instanceof EnvelopeRejectedError) throw err
    reject('source', 'source peer id is malformed')
  }
  if (!ok) reject('signature', 'bad signature')
  if (rules.mayWrite != null && !rules.mayWrite(peer, ts, envelope.community)) reject('membership', `${peer} may not write to community "${envelope.community.slice(0, 64)}" (not a member, or a reader)`)
  if (rules.events.requirement(envelope.type, rules.sealer != null) === 'admin' && rules.isAdmin?.(peer, ts, envelope.community) !== true) {
    reject('membership', `${peer} may not write ${envelope.type} to community "${envelope.community.slice(0, 64)}" (only its admins may)`)
  }

  // the owning mod's rules, once the author is proven: the one declared with the type
  // (EventSpec.rule), then the one it added for its state (Channels.addRule)
  const declared = rules.events.refusal?.(envelope.type, { source: envelope.source, payload })
  if (declared != null) reject('rule', `${envelope.type}: ${declared}`)
  const admitted = rules.admit?.(envelope)
  if (admitted != null) reject('rule', admitted)

  if (rules.replay != null) {
    if (rules.replay.has(envelope.id, now)) reject('replay', `envelope ${envelope.id} was already received`)
    rules.replay.add(envelope.id, now)
  }
  return envelope
}
