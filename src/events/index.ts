/**
 * The event envelope: make, sign, verify, validate, and map to JSON.
 *
 * @example
 * ```ts
 * import { createEnvelope, validateEnvelope, envelopeToJson, EventTypes } from 'oa-node'
 * const env = await createEnvelope({ type: EventTypes.CHANNEL_MESSAGE_POST, community: 'devsupport',
 *   channel: 'general', agent: 'user', payload: { text: 'hi' } }, node.privateKey)
 * ```
 */
export { createEnvelope, encodeEnvelope, envelopeSignatureValid, payloadOf, signingBytes } from './envelope.js'
export type { EnvelopeInit } from './envelope.js'
export { validateEnvelope, checkEnvelope, EnvelopeRejectedError, REJECT_REASONS } from './validate.js'
export type { RejectReason, ValidationRules } from './validate.js'
export { ReplayCache } from './replay-cache.js'
export { envelopeToJson } from './json.js'
export type { EventJson } from './json.js'
export { EventTypes, EVENT_TYPE, AGENT_NAME, CHANNEL_NAME, parseAgentId, formatAgentId, parseMentions } from './types.js'
export type { AgentId } from './types.js'
export { messagePayload, reactionPayload, presencePayload } from './payloads.js'
export { EventRegistry } from './registry.js'
export type { EventSpec, EventCatalog, EventCarrier, EventAccess, WriteRequirement, RegisteredEvent } from './registry.js'
export type { MessagePayload, ReactionPayload, PresencePayload } from './payloads.js'
