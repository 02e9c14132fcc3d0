import type { CommunitySealer } from './access.js'
import type { Envelope } from '../wire/generated/event.js'

/** What a sealed envelope's ciphertext is bound to: it cannot be moved to another envelope, type or author. */
function aad (envelope: Envelope): string {
  return `env|${envelope.id}|${envelope.type}|${envelope.source}|${envelope.channel}`
}

/**
 * The envelope as it travels in a private community: the payload sealed with the
 * community's current epoch key, and the community named by its wire name, not its
 * name. The signature stays the author's, over the clear form.
 *
 * @example
 * ```ts
 * const wire = sealEnvelope(envelope, access.sealer('devsupport'))
 * ```
 */
export function sealEnvelope (envelope: Envelope, sealer: CommunitySealer): Envelope {
  const { epoch, bytes } = sealer.seal(aad(envelope), envelope.payload)
  return { ...envelope, community: sealer.wireName, payload: Uint8Array.from(bytes), epoch }
}

/** The clear form of a sealed envelope; throws when the key of its epoch is not held or it was altered. */
export function openEnvelope (envelope: Envelope, sealer: CommunitySealer): Envelope {
  if (envelope.community !== sealer.wireName) throw new Error(`the envelope names "${envelope.community.slice(0, 64)}", not this community's wire name`)
  return { ...envelope, community: sealer.name, payload: Uint8Array.from(sealer.open(aad(envelope), envelope.epoch, envelope.payload)), epoch: 0 }
}
