import { createHash } from 'node:crypto'
import { Envelope } from '../wire/generated/event.js'
import type { Message } from '@libp2p/gossipsub'
import type { RPC } from '@libp2p/gossipsub/message'

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

/**
 * The fast message id gossipsub looks up before it checks a message: the publisher's
 * signature, unique to one signed message on one topic. A copy of a message this node
 * already took (a mesh peer forwarding it) is dropped without checking its signature
 * again, which was most of a receiver's work in a full mesh. Gossipsub remembers a fast
 * id only once its message has passed the signature check, so a forged copy that reuses
 * a signature cannot shadow the real message; a message signed again by another
 * publisher has another fast id and is still matched by `gossipMessageId`.
 *
 * @example
 * ```ts
 * gossipsub({ msgIdFn: gossipMessageId, fastMsgIdFn: gossipFastMessageId })
 * ```
 */
export function gossipFastMessageId (message: RPC.Message): string {
  const signature = message.signature
  // unsigned messages fail the StrictSign check, so this id is never remembered
  return signature == null || signature.byteLength === 0 ? 'unsigned' : Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('base64')
}
