import { createHash } from 'node:crypto'
import { Envelope } from '../wire/generated/event.js'
import type { Message } from '@libp2p/gossipsub'

/**
 * The gossipsub message id: sha256 of the topic, the envelope id and its signature. The same
 * envelope relayed or replayed has the same id, so gossipsub drops the copies; a forged
 * envelope that reuses an id gets another message id and cannot shadow the real one.
 * Bytes that are not a signed envelope get the hash of the bytes (the validator then
 * rejects them), so two different pieces of garbage never share an id.
 */
export function gossipMessageId (message: Message): Uint8Array {
  // the topic is part of the id: the same bytes on two topics are two messages
  const hash = createHash('sha256').update(message.topic).update('\n')
  let envelope: Envelope | undefined
  try {
    envelope = Envelope.decode(message.data)
  } catch {
    envelope = undefined
  }
  // garbage that happens to decode must not share an id with other garbage
  if (envelope != null && envelope.id !== '' && envelope.signature.byteLength === 64) {
    hash.update('envelope\n').update(envelope.id).update('\n').update(envelope.signature)
  } else {
    hash.update('bytes\n').update(message.data)
  }
  return hash.digest()
}
