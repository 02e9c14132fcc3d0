import { z } from 'zod'
import { agentName, channelName, communityName } from '../../config/names.js'
import { REMOTE_AGENT_SUBPROTOCOL } from './constants.js'

/**
 * The frames of the remote-agent protocol, version 1 (`oa-agent.v1`): JSON text
 * messages, each an object with a `type`. These schemas are the protocol: the node
 * validates every frame a client sends with them, and protocols/remote-agent/*.schema.json
 * are generated from them (`scripts/protocols/remote-agent-schemas.ts`).
 */

const frameId = z.string().min(1).max(128)
const capability = z.string().min(1).max(64)
const json = z.unknown()

/** What a client tells the node about an agent it registers: its card. */
export const agentCard = z.strictObject({
  name: agentName,
  /** Default: the node's first community. */
  community: communityName.optional(),
  capabilities: z.array(capability).max(64).optional(),
  description: z.string().max(2000).optional(),
  /** Questions it answers well: coordinators route by their meaning (at most 16, 300 characters each). */
  examples: z.array(z.string().min(1).max(300)).max(16).optional(),
  /** Channels it listens in (default: general). */
  channels: z.array(channelName).min(1).max(32).optional(),
  /** `custom` (default), `expert` (a coordinator asks it), or another lowercase word. */
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, { message: 'a kind is 1-32 characters of a-z, 0-9 and "_", starting with a letter' }).optional()
})

/** A message an action refers to (reply, react): the fields of a received message it needs. */
const messageRef = z.object({
  id: z.string().min(1).max(128),
  channel: channelName
})

const metadata = z.record(z.string(), json)
const slug = z.string().min(1).max(128)
const revision = z.union([z.number().int().min(1), z.string().min(1).max(128)])

/** Each action an agent may perform, with its parameters. */
export const ACTION_PARAMS = {
  post: z.strictObject({ channel: channelName, text: z.string().min(1), metadata: metadata.optional() }),
  reply: z.strictObject({ message: messageRef, text: z.string().min(1), metadata: metadata.optional() }),
  react: z.strictObject({ message: messageRef, reaction: z.string().min(1).max(64) }),
  history: z.strictObject({ channel: channelName, limit: z.number().int().min(1).max(1000).optional(), before: z.number().int().min(0).optional() }),
  send: z.strictObject({ to: z.string().min(3).max(200), payload: json, timeoutMs: z.number().int().min(100).max(600_000).optional(), thread: z.string().min(1).max(128).optional() }),
  find_agents: z.strictObject({ capability: capability.optional(), community: communityName.optional(), includeOffline: z.boolean().optional() }),
  remember: z.strictObject({ kind: z.string().min(1).max(64), text: z.string().min(1), metadata: metadata.optional(), id: z.string().min(1).max(256).optional() }),
  recall: z.strictObject({
    query: z.string().min(1),
    k: z.number().int().min(1).max(100).optional(),
    mode: z.enum(['hybrid', 'vector', 'text']).optional(),
    kinds: z.array(z.string().min(1).max(64)).max(32).optional(),
    excludeKinds: z.array(z.string().min(1).max(64)).max(32).optional(),
    minSimilarity: z.number().min(-1).max(1).optional()
  }),
  forget: z.strictObject({ id: z.string().min(1).max(256) }),
  'wiki.list': z.strictObject({}),
  'wiki.show': z.strictObject({ slug, revision: revision.optional() }),
  'wiki.history': z.strictObject({ slug }),
  'wiki.proposals': z.strictObject({ slug: slug.optional() }),
  'wiki.create': z.strictObject({ slug, body: z.string(), summary: z.string().max(500).optional() }),
  'wiki.edit': z.strictObject({ slug, body: z.string(), summary: z.string().max(500).optional(), mode: z.enum(['auto', 'direct', 'propose']).optional() }),
  'wiki.accept': z.strictObject({ proposal: z.string().min(1).max(128) }),
  'wiki.reject': z.strictObject({ proposal: z.string().min(1).max(128), reason: z.string().max(500).optional() }),
  'wiki.revert': z.strictObject({ slug, revision }),
  'wiki.protect': z.strictObject({ slug, level: z.enum(['open', 'protected', 'locked']) }),
  'social.endorse': z.strictObject({ agent: z.string().min(3).max(200), capability }),
  'social.unendorse': z.strictObject({ agent: z.string().min(3).max(200), capability }),
  'social.trust': z.strictObject({ capability: capability.optional() }),
  'social.graph': z.strictObject({})
} as const

export type ActionName = keyof typeof ACTION_PARAMS
export type ActionParams<A extends ActionName> = z.infer<typeof ACTION_PARAMS[A]>
export const ACTION_NAMES = Object.keys(ACTION_PARAMS) as ActionName[]

// ---- client to node ------------------------------------------------------------------

/** Registers an agent on the node; answered `result` with its card, or `error`. */
export const registerFrame = z.strictObject({ type: z.literal('register'), id: frameId, agent: agentCard })

/** Takes an agent of this connection off the node (it goes offline). */
export const unregisterFrame = z.strictObject({ type: z.literal('unregister'), id: frameId, agent: agentName })

/** The head of an action frame; `params` is checked against the action's own schema. */
export const actionHead = z.strictObject({
  type: z.literal('action'),
  id: frameId,
  agent: agentName,
  action: z.enum(ACTION_NAMES as [ActionName, ...ActionName[]]),
  params: z.record(z.string(), z.unknown()).optional()
})

/** An action of an agent, its parameters per action (the JSON Schema lists each). */
export const actionFrame = z.union(ACTION_NAMES.map(name => z.strictObject({
  type: z.literal('action'),
  id: frameId,
  agent: agentName,
  action: z.literal(name),
  params: ACTION_PARAMS[name]
})) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])

/** The answer to a direct request the node passed on: a JSON payload, or an error that refuses it. */
export const answerFrame = z.union([
  z.strictObject({ type: z.literal('answer'), request: frameId, payload: json }),
  z.strictObject({ type: z.literal('answer'), request: frameId, error: z.strictObject({ message: z.string().min(1).max(2000) }) })
])

export type RegisterFrame = z.infer<typeof registerFrame>
export type UnregisterFrame = z.infer<typeof unregisterFrame>
export type AnswerFrame = z.infer<typeof answerFrame>

// ---- node to client ------------------------------------------------------------------

/** The node's first frame on a new connection. */
export const welcomeFrame = z.strictObject({
  type: z.literal('welcome'),
  protocol: z.literal(REMOTE_AGENT_SUBPROTOCOL),
  peerId: z.string(),
  version: z.string(),
  communities: z.array(z.string()),
  /** What the connection's token allows: one agent name (and community), or any (the node's API token). */
  scope: z.union([z.strictObject({ agent: agentName, community: communityName.optional() }), z.null()])
})

/** The result of a `register`, `unregister` or `action` frame, paired by `id`. */
export const resultFrame = z.strictObject({ type: z.literal('result'), id: frameId, result: json })

/** A refused frame: `id` pairs it with the frame when that frame had one (else null). */
export const errorFrame = z.strictObject({
  type: z.literal('error'),
  id: z.union([frameId, z.null()]),
  error: z.strictObject({ code: z.string(), message: z.string() })
})

/** The events an agent's handlers receive. */
export const EVENT_NAMES = ['channel_post', 'mention', 'wiki_proposal', 'stop'] as const

/** An event for one of the connection's agents. */
export const eventFrame = z.strictObject({ type: z.literal('event'), agent: agentName, event: z.enum(EVENT_NAMES), data: json })

/** A direct request to one of the connection's agents; answer it with an `answer` frame. */
export const requestFrame = z.strictObject({
  type: z.literal('request'),
  agent: agentName,
  /** How long the node waits for the answer. */
  timeoutMs: z.number().int(),
  request: z.strictObject({ id: frameId, from: z.string(), to: agentName, community: z.string(), payload: json, event: json })
})

/** The node no longer waits for the answer to a request (its deadline passed, or its caller gave up). */
export const cancelFrame = z.strictObject({ type: z.literal('cancel'), agent: agentName, request: frameId, reason: z.string() })

export type ServerFrame =
  | z.infer<typeof welcomeFrame>
  | z.infer<typeof resultFrame>
  | z.infer<typeof errorFrame>
  | z.infer<typeof eventFrame>
  | z.infer<typeof requestFrame>
  | z.infer<typeof cancelFrame>

/** Every frame of the protocol by `type`, client frames first: each has a JSON Schema in protocols/remote-agent/. */
export const FRAME_SCHEMAS: Record<string, { schema: z.ZodType, from: 'client' | 'node', description: string }> = {
  register: { schema: registerFrame, from: 'client', description: 'registers an agent with its card' },
  unregister: { schema: unregisterFrame, from: 'client', description: 'takes an agent of the connection off the node' },
  action: { schema: actionFrame, from: 'client', description: 'an action of an agent, answered result or error by id' },
  answer: { schema: answerFrame, from: 'client', description: 'answers a direct request' },
  welcome: { schema: welcomeFrame, from: 'node', description: 'the first frame of a connection' },
  result: { schema: resultFrame, from: 'node', description: 'the result of a frame, by its id' },
  error: { schema: errorFrame, from: 'node', description: 'a refused frame, by its id when it had one' },
  event: { schema: eventFrame, from: 'node', description: 'an event for one of the connection\'s agents' },
  request: { schema: requestFrame, from: 'node', description: 'a direct request to one of the connection\'s agents' },
  cancel: { schema: cancelFrame, from: 'node', description: 'the node no longer waits for an answer' }
}
