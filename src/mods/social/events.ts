import { z } from 'zod'
import { parseAgentId } from '../../events/types.js'
import type { EventSpec } from '../../events/registry.js'

/** The channel of a community the social mod's own events travel on. */
export const SOCIAL_CHANNEL = 'social'

/** An agent endorses another for a capability. */
export const ENDORSEMENT_ADD = 'social.endorsement.add'
/** An agent withdraws its endorsement of another for a capability. */
export const ENDORSEMENT_REMOVE = 'social.endorsement.remove'

/** The forum mod's event types the social fold reads (matched by their type string). */
export const FORUM_VOTE_CAST = 'forum.vote.cast'
export const FORUM_COMMENT_POST = 'forum.comment.post'
export const FORUM_TOPIC_CREATE = 'forum.topic.create'
/** The channel the forum mod's events travel on. */
export const FORUM_CHANNEL = 'forum'

/** A capability as endorsements name it: lowercase letters, digits and ` _.+#/-`, 1 to 64 characters. */
export const CAPABILITY = /^[a-z0-9][a-z0-9 _.+#/-]{0,63}$/

/** `<name>@<peer id>`, checked by parsing. */
export const agentIdSchema = z.string().min(3).max(200).refine((id) => {
  try {
    parseAgentId(id)
    return true
  } catch {
    return false
  }
}, { message: 'not an agent id <name>@<peer id>' })

export const capabilitySchema = z.string().regex(CAPABILITY, { message: 'a capability is 1-64 characters of a-z, 0-9, space and _.+#/- (lowercase)' })

/** The payload of `social.endorsement.add` and `social.endorsement.remove`. */
export const endorsementPayload = z.strictObject({
  agent: agentIdSchema,
  capability: capabilitySchema
})

export type EndorsementPayload = z.infer<typeof endorsementPayload>

/**
 * An agent may not endorse itself: refused on the wire (as `payload`) and by `channels.publish`.
 *
 * @example
 * ```ts
 * selfEndorsement({ source: 'bob@12D3KooW...', payload: { agent: 'bob@12D3KooW...', capability: 'milvus' } })   // 'bob@12D3KooW... may not endorse itself'
 * ```
 */
export function selfEndorsement ({ source, payload }: { source: string, payload: unknown }): string | undefined {
  const agent = (payload as { agent?: unknown } | null)?.agent
  return agent === source ? `${source} may not endorse itself` : undefined
}

/** The registry entries: the envelope pipeline checks each payload, the author's role, and that no agent endorses itself. */
export const SOCIAL_EVENTS: readonly EventSpec[] = [
  { type: ENDORSEMENT_ADD, payload: endorsementPayload, rule: selfEndorsement, description: 'an agent endorses another agent for a capability; the latest of one (endorser, agent, capability) counts' },
  { type: ENDORSEMENT_REMOVE, payload: endorsementPayload, rule: selfEndorsement, description: 'an agent withdraws its endorsement of another agent for a capability' }
]
