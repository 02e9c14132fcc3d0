import { createHash } from 'node:crypto'
import { Envelope } from '../wire/generated/event.js'
import type { Message } from '@libp2p/gossipsub'

/**
 * The gossipsub message id: sha256 of the envelope id and its signature. The same
 * envelope relayed or replayed has the same id, so gossipsub drops the copies; a forged
 * envelope that reuses an id gets another message id and cannot shadow the real one.
 * Bytes that do not decode get the hash of the bytes (the validator then rejects them).
 */
export function gossipMessageId (message: Message): Uint8Array {
  const hash = createHash('sha256')
  try {
    const envelope = Envelope.decode(message.data)
    hash.update(envelope.id).update('\n').update(envelope.signature)
  } catch {
    hash.update(message.data)
  }
  return hash.digest()
}
