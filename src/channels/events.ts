import { messagePayload, reactionPayload } from '../events/payloads.js'
import { EventTypes } from '../events/types.js'
import type { EventSpec } from '../events/registry.js'

/** The event types the channels mod owns: posts, replies and reactions on channel topics; direct requests and responses. */
export const CHANNEL_EVENTS: readonly EventSpec[] = [
  { type: EventTypes.CHANNEL_MESSAGE_POST, payload: messagePayload, description: 'a message in a channel' },
  { type: EventTypes.CHANNEL_MESSAGE_REPLY, payload: messagePayload, description: 'a reply in a message\'s thread' },
  { type: EventTypes.CHANNEL_REACTION_ADD, payload: reactionPayload, description: 'a reaction to a message' },
  { type: EventTypes.DIRECT_REQUEST_SEND, carrier: 'direct', description: 'a direct request to an agent (any JSON)' },
  { type: EventTypes.DIRECT_RESPONSE_SEND, carrier: 'direct', description: 'the response to a direct request (any JSON)' }
]
