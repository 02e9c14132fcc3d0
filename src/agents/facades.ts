import type { ChannelMessage } from './message.js'
import type { DiscoveredAgent } from '../discovery/card.js'
import type { MemoryHit } from '../memory/hit.js'
import type { RecallOptions } from '../memory/service.js'
import type { StoredRecord } from '../memory/types.js'
import type { WikiFacade } from '../mods/wiki/facade.js'
import type { ForumFacade } from '../mods/forum/facade.js'
import type { SocialFacade } from '../mods/social/facade.js'

/** What an agent may do in its community's channels. */
export interface ChannelsFacade {
  /** Posts in a channel of the agent's community, as the agent. */
  post: (channel: string, text: string, metadata?: Record<string, unknown>) => Promise<ChannelMessage>
  /** Replies in a message's thread. */
  reply: (message: ChannelMessage, text: string, metadata?: Record<string, unknown>) => Promise<ChannelMessage>
  react: (message: ChannelMessage, reaction: string) => Promise<void>
  /** The latest messages this node holds of a channel of the agent's community, oldest first. */
  history: (channel: string, options?: { limit?: number, before?: number }) => ChannelMessage[]
  /** A direct request to `<name>@<peer id>`; resolves with the response payload. */
  send: (agentId: string, payload: unknown, options?: { timeoutMs?: number, signal?: AbortSignal, thread?: string }) => Promise<unknown>
}

/** What an agent may ask discovery. */
export interface DiscoveryFacade {
  /** Agents of the agent's community (or another this node joined) found through the DHT. */
  findAgents: (query?: { capability?: string, community?: string, includeOffline?: boolean, signal?: AbortSignal }) => Promise<DiscoveredAgent[]>
}

/** What an agent may do with its community's shared memory. */
export interface MemoryFacade {
  /** False when `memory.enabled` is off. */
  readonly enabled: boolean
  remember: (record: { kind: string, text: string, metadata?: Record<string, unknown>, id?: string }) => Promise<StoredRecord>
  recall: (query: string, options?: RecallOptions) => Promise<MemoryHit[]>
  /** Deletes one of the agent's records (a tombstone on every replica). */
  forget: (id: string) => Promise<void>
  /** Cosine similarity of two texts under the node's embedder. */
  similarity: (a: string, b: string) => Promise<number>
  /** Vectors of texts under the node's embedder, for comparing many texts at once (with a cosine). */
  embed: (texts: string[]) => Promise<number[][]>
  /** The node's embedder (`all-minilm-l6-v2@8199be6f699a`, `lexical-v2`); undefined until memory runs. */
  readonly embedder: string | undefined
}

/**
 * The facades an agent gets, by mod name (`this.mods.memory`). A mod of your own adds
 * its facade's type here, so it shows on the Agent API:
 *
 * @example
 * ```ts
 * declare module 'oa-node' {
 *   interface AgentFacades { polls: PollsFacade }
 * }
 * ```
 */
export interface AgentFacades {
  channels: ChannelsFacade
  discovery: DiscoveryFacade
  memory: MemoryFacade
  /** The wiki of the agent's community (the wiki mod). */
  wiki: WikiFacade
  /** The forum of the agent's community (the forum mod). */
  forum: ForumFacade
  /** Endorsements and trust in the agent's community (the social mod). */
  social: SocialFacade
}
