import { z } from 'zod'

const metadata = z.record(z.string(), z.unknown()).optional()

/** Payload of `channel.message.post` and `channel.message.reply`. */
export const messagePayload = z.strictObject({
  text: z.string().min(1),
  mentions: z.array(z.string()).max(64).optional(),
  metadata
})
export type MessagePayload = z.infer<typeof messagePayload>

/** Payload of `channel.reaction.add`. */
export const reactionPayload = z.strictObject({
  reaction: z.string().min(1).max(32)
})
export type ReactionPayload = z.infer<typeof reactionPayload>

/** Payload of `agent.presence.online|offline`. */
export const presencePayload = z.strictObject({
  agent: z.string().min(1),
  capabilities: z.array(z.string()).optional(),
  description: z.string().optional()
})
export type PresencePayload = z.infer<typeof presencePayload>
