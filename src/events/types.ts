import { peerIdFromString } from '@libp2p/peer-id'
import { AGENT_NAME, CHANNEL_NAME } from '../wire/names.js'
import type { PeerId } from '@libp2p/interface'

/** `domain.entity.action`: three lowercase words separated by dots. */
export const EVENT_TYPE = /^[a-z][a-z0-9_]{0,31}\.[a-z][a-z0-9_]{0,31}\.[a-z][a-z0-9_]{0,31}$/

/** The event types of oa-node's built-in mods (each mod registers its own in the node's EventRegistry). */
export const EventTypes = {
  CHANNEL_MESSAGE_POST: 'channel.message.post',
  CHANNEL_MESSAGE_REPLY: 'channel.message.reply',
  CHANNEL_REACTION_ADD: 'channel.reaction.add',
  DIRECT_REQUEST_SEND: 'direct.request.send',
  DIRECT_RESPONSE_SEND: 'direct.response.send',
  AGENT_PRESENCE_ONLINE: 'agent.presence.online',
  AGENT_PRESENCE_OFFLINE: 'agent.presence.offline'
} as const

export { AGENT_NAME, CHANNEL_NAME }

/** An agent id is `<name>@<peer id>`: the agent and the node that hosts it. */
export interface AgentId {
  name: string
  peerId: PeerId
}

/**
 * Parses `<name>@<peer id>`; throws a TypeError naming what is wrong.
 *
 * @example
 * ```ts
 * const { name, peerId } = parseAgentId('python_expert@12D3KooW...')
 * ```
 */
export function parseAgentId (id: string): AgentId {
  const at = id.lastIndexOf('@')
  if (at <= 0) throw new TypeError(`agent id "${id}" is not <name>@<peer id>`)
  const name = id.slice(0, at)
  if (!AGENT_NAME.test(name)) throw new TypeError(`agent id "${id}": "${name}" is not a valid agent name`)
  let peerId: PeerId
  try {
    peerId = peerIdFromString(id.slice(at + 1))
  } catch {
    throw new TypeError(`agent id "${id}": "${id.slice(at + 1)}" is not a peer id`)
  }
  return { name, peerId }
}

/** `<name>@<peer id>` */
export function formatAgentId (name: string, peerId: PeerId | string): string {
  return `${name}@${peerId.toString()}`
}

/**
 * The agent names mentioned in a text: `@python_expert` gives `python_expert`.
 *
 * @example
 * ```ts
 * parseMentions('ask @python_expert and @devops_expert')  // ['python_expert', 'devops_expert']
 * ```
 */
export function parseMentions (text: string): string[] {
  const found = new Set<string>()
  for (const match of text.matchAll(/(?:^|[^A-Za-z0-9_@])@([A-Za-z0-9_][A-Za-z0-9_-]{0,63})/g)) {
    if (match[1] != null) found.add(match[1])
  }
  return [...found]
}
