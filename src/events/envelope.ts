import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { ulid } from 'ulid'
import { Envelope } from '../wire/generated/event.js'
import { formatAgentId } from './types.js'
import type { PrivateKey } from '@libp2p/interface'

export { Envelope }

export interface EnvelopeInit {
  /** `domain.entity.action` */
  type: string
  community: string
  /** Channel for channel.* events. */
  channel?: string
  /** Name of the authoring agent on this node; the source becomes `<name>@<peer id>`. */
  agent: string
  /** Agent id of the addressee. */
  target?: string
  replyTo?: string
  thread?: string
  /** Any JSON value. */
  payload: unknown
  /** Seconds the event stays relevant; 0 (default) = no limit. */
  ttl?: number
  /** Override the creation time (ms); tests use it. */
  timestamp?: number
  /** Override the ULID; tests use it. */
  id?: string
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The bytes a signature covers: the envelope in the clear (epoch 0) encoded with an empty signature. */
export function signingBytes (envelope: Envelope): Uint8Array {
  return Envelope.encode({ ...envelope, signature: new Uint8Array(0), epoch: 0 })
}

/**
 * Makes and signs an envelope with the node's key.
 *
 * @example
 * ```ts
 * const env = await createEnvelope({ type: 'channel.message.post', community: 'devsupport',
 *   channel: 'general', agent: 'user', payload: { text: 'hello' } }, node.privateKey)
 * ```
 */
export async function createEnvelope (init: EnvelopeInit, privateKey: PrivateKey): Promise<Envelope> {
  const timestamp = init.timestamp ?? Date.now()
  const envelope: Envelope = {
    id: init.id ?? ulid(timestamp),
    type: init.type,
    community: init.community,
    channel: init.channel ?? '',
    source: formatAgentId(init.agent, peerIdFromPrivateKey(privateKey)),
    target: init.target,
    replyTo: init.replyTo,
    thread: init.thread,
    timestamp: BigInt(timestamp),
    payload: encoder.encode(JSON.stringify(init.payload ?? null)),
    ttl: init.ttl ?? 0,
    signature: new Uint8Array(0),
    epoch: 0
  }
  envelope.signature = Uint8Array.from(await privateKey.sign(signingBytes(envelope)))
  return envelope
}

export function encodeEnvelope (envelope: Envelope): Uint8Array {
  return Envelope.encode(envelope)
}

/** The payload as a JSON value; throws SyntaxError when it is not JSON. */
export function payloadOf (envelope: Envelope): unknown {
  return JSON.parse(decoder.decode(envelope.payload))
}

/**
 * True when the envelope's signature is valid for the peer named in its source
 * (`<agent>@<peer id>`); false for a bad signature or a malformed source.
 *
 * @example
 * ```ts
 * if (!await envelopeSignatureValid(envelope)) console.log(`${envelope.id} is forged or damaged`)
 * ```
 */
export async function envelopeSignatureValid (envelope: Envelope): Promise<boolean> {
  try {
    const key = peerIdFromString(envelope.source.slice(envelope.source.lastIndexOf('@') + 1)).publicKey
    return key == null ? false : await key.verify(signingBytes(envelope), envelope.signature)
  } catch {
    return false
  }
}
