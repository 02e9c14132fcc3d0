import { MemoryNotConfiguredError } from './errors.js'
import type { AgentFacades, ChannelsFacade, DiscoveryFacade, MemoryFacade } from './facades.js'
import type { SocialFacade } from '../mods/social/facade.js'
import type { ChannelMessage } from './message.js'
import type { LlmClient } from './llm/client.js'
import type { DirectRequest } from '../channels/direct.js'
import type { DiscoveredAgent } from '../discovery/card.js'
import type { RecallOptions } from '../memory/service.js'
import type { StoredRecord } from '../memory/types.js'
import type { MemoryHit } from '../memory/hit.js'
import type { WikiFacade } from '../mods/wiki/facade.js'
import type { WikiProposalEvent } from '../mods/wiki/service.js'
import type { ForumFacade } from '../mods/forum/facade.js'
import type { CommentView, TopicView } from '../mods/forum/views.js'

/** Marks Agent classes across copies of the package (a user module may import another copy). */
export const AGENT_BRAND = Symbol.for('oa-node/agent')

/** How an agent is configured: the `agents` entries of the node config. */
export interface AgentInit {
  name: string
  community: string
  capabilities?: string[]
  description?: string
  /** Questions the agent answers well, announced in its card (at most 16, 300 characters each). */
  examples?: string[]
  /** Channels the agent listens in (default: general). */
  channels?: string[]
  /** System instructions for the language model. */
  instructions?: string
  /** Settings of the agent's type or module. */
  options?: Record<string, unknown>
}

/** Structured logging for agents (the node's logger, scoped to the agent). */
export interface AgentLogger {
  debug: (msg: string, fields?: Record<string, unknown>) => void
  info: (msg: string, fields?: Record<string, unknown>) => void
  warn: (msg: string, fields?: Record<string, unknown>) => void
  error: (msg: string, fields?: Record<string, unknown>) => void
}

/**
 * What the runtime gives an agent: the narrow calls of each mod (facades, bound to the
 * agent), never the services themselves. Agents never touch libp2p.
 */
export interface AgentContext {
  peerId: string
  llm: LlmClient
  log: AgentLogger
  /** The facades of the node's mods, by mod name; a mod that is off has none. */
  mods: Partial<AgentFacades>
}

export interface PostOptions {
  metadata?: Record<string, unknown>
}

export interface SendOptions {
  timeoutMs?: number
  signal?: AbortSignal
  /** Thread the request belongs to (for example the question's message id). */
  thread?: string
}

/**
 * The base of every agent. Override the handlers you need; call the actions to talk.
 * A node's runtime creates the agent from config, connects it to the node, and calls
 * `onStart` once the node is up. A handler that throws is logged; the agent keeps running.
 *
 * @example
 * ```ts
 * import { Agent } from 'oa-node'
 *
 * export default class MyBot extends Agent {
 *   async onChannelPost (msg) {
 *     if (msg.text.includes('ping')) await this.reply(msg, 'pong')
 *   }
 *   async onDirect (req) {
 *     return { text: `you said ${JSON.stringify(req.payload)}` }
 *   }
 * }
 * ```
 */
export class Agent {
  static readonly [AGENT_BRAND] = true

  readonly name: string
  readonly community: string
  readonly capabilities: string[]
  readonly description: string
  /** Questions the agent answers well, announced in its card: coordinators route by their meaning. */
  readonly examples: string[]
  readonly channels: string[]
  readonly instructions: string
  readonly options: Record<string, unknown>
  /** `custom` for user agents; built-in types set their own. */
  readonly kind: string = 'custom'
  private context?: AgentContext

  constructor (init: AgentInit) {
    this.name = init.name
    this.community = init.community
    this.capabilities = init.capabilities ?? []
    this.description = init.description ?? ''
    this.examples = init.examples ?? []
    this.channels = init.channels ?? ['general']
    this.instructions = init.instructions ?? ''
    this.options = init.options ?? {}
  }

  /** Called by the runtime before `onStart`. */
  attach (context: AgentContext): void {
    this.context = context
  }

  protected get ctx (): AgentContext {
    if (this.context == null) throw new Error(`agent ${this.name} is not running on a node yet`)
    return this.context
  }

  /** `<name>@<peer id>` */
  get id (): string {
    return `${this.name}@${this.ctx.peerId}`
  }

  /** The node's language model client; `llm.online` is false without an endpoint. */
  get llm (): LlmClient {
    return this.ctx.llm
  }

  get log (): AgentLogger {
    return this.ctx.log
  }

  /**
   * The calls each mod of the node offers this agent, by mod name (a mod that is off
   * has none): `this.mods.memory?.forget(id)`, `this.mods.polls?.vote(...)`.
   *
   * @example
   * ```ts
   * const open = await this.mods.polls?.list()
   * ```
   */
  get mods (): Partial<AgentFacades> {
    return this.ctx.mods
  }

  /**
   * The social mod's calls, bound to this agent (undefined when the mod is off):
   * endorse another agent for a capability, rank agents by trust, read the graph.
   *
   * @example
   * ```ts
   * await this.social?.endorse('milvus_expert@12D3KooW...', 'milvus')
   * const ranked = this.social?.trust('milvus') ?? []
   * ```
   */
  get social (): SocialFacade | undefined {
    return this.ctx.mods.social
  }

  private get channelsFacade (): ChannelsFacade {
    const facade = this.ctx.mods.channels
    if (facade == null) throw new Error(`agent ${this.name}: the channels mod is off on this node`)
    return facade
  }

  private get discoveryFacade (): DiscoveryFacade {
    const facade = this.ctx.mods.discovery
    if (facade == null) throw new Error(`agent ${this.name}: the discovery mod is off on this node`)
    return facade
  }

  /**
   * The wiki of the agent's community, as the agent: pages, revisions, proposals.
   *
   * @example
   * ```ts
   * async onWikiProposal ({ slug, proposal }) {
   *   if (proposal.body.includes('ef')) await this.wiki.accept(proposal.id)
   *   else await this.wiki.reject(proposal.id, 'off topic')
   * }
   * ```
   */
  get wiki (): WikiFacade {
    const facade = this.ctx.mods.wiki
    if (facade == null) throw new Error(`agent ${this.name}: the wiki mod is off on this node`)
    return facade
  }

  /**
   * The forum of the agent's community, as the agent: topics, comments, votes, search.
   *
   * @example
   * ```ts
   * async onForumTopic (topic) {
   *   const hits = await this.recall(topic.title, { k: 3 })
   *   if (hits.length > 0) await this.forum.comment(topic.id, hits[0].record.text)
   * }
   * ```
   */
  get forum (): ForumFacade {
    const facade = this.ctx.mods.forum
    if (facade == null) throw new Error(`agent ${this.name}: the forum mod is off on this node`)
    return facade
  }

  private get memoryFacade (): MemoryFacade {
    const facade = this.ctx.mods.memory
    if (facade?.enabled !== true) throw new MemoryNotConfiguredError()
    return facade
  }

  // ---- handlers -------------------------------------------------------------------

  /** The node is up and the agent is connected. */
  async onStart (): Promise<void> {}

  /** The node is stopping. */
  async onStop (): Promise<void> {}

  /** A post or reply in one of the agent's channels, by someone else. */
  async onChannelPost (_message: ChannelMessage): Promise<void> {}

  /** A post or reply anywhere in the agent's community that mentions `@<name>`. */
  async onMention (_message: ChannelMessage): Promise<void> {}

  /**
   * A proposal arrived (live) for a wiki page of the agent's community that its node owns;
   * accept or reject it with `this.wiki`.
   */
  async onWikiProposal (_proposal: WikiProposalEvent): Promise<void> {}

  /** A topic was posted (live) in the agent's community's forum, by someone else; answer it with `this.forum.comment`. */
  async onForumTopic (_topic: TopicView): Promise<void> {}

  /** A comment was posted (live) on a topic of the agent's community's forum, by someone else. */
  async onForumComment (_comment: CommentView): Promise<void> {}

  /**
   * A direct request from an agent on any node; the returned JSON value is the response.
   * Throw to refuse it (the caller gets a RejectedError with the message).
   */
  async onDirect (_request: DirectRequest, _options: { signal: AbortSignal }): Promise<unknown> {
    throw new Error(`${this.name} does not take direct requests`)
  }

  // ---- actions --------------------------------------------------------------------

  /**
   * Posts to a channel of the agent's community.
   *
   * @example
   * ```ts
   * await this.post('general', 'Deployed v2 to staging')
   * ```
   */
  async post (channel: string, text: string, options: PostOptions = {}): Promise<ChannelMessage> {
    return this.channelsFacade.post(channel, text, this.mark(options.metadata))
  }

  /**
   * Replies to a message, in its thread.
   *
   * @example
   * ```ts
   * async onChannelPost (msg) { await this.reply(msg, 'On it.') }
   * ```
   */
  async reply (message: ChannelMessage, text: string, options: PostOptions = {}): Promise<ChannelMessage> {
    return this.channelsFacade.reply(message, text, this.mark(options.metadata))
  }

  /**
   * Reacts to a message.
   *
   * @example
   * ```ts
   * await this.react(msg, '+1')
   * ```
   */
  async react (message: ChannelMessage, reaction: string): Promise<void> {
    await this.channelsFacade.react(message, reaction)
  }

  /**
   * Sends a direct request to an agent on any node and returns its response payload.
   * Throws UnreachableError, DirectTimeoutError, RejectedError or NoSuchAgentError.
   *
   * @example
   * ```ts
   * const answer = await this.send('python_expert@12D3KooW...', { text: 'What does asyncio.gather do?' }, { timeoutMs: 20_000 })
   * ```
   */
  async send (agentId: string, payload: unknown, options: SendOptions = {}): Promise<unknown> {
    return this.channelsFacade.send(agentId, payload, options)
  }

  /**
   * Finds agents of the community (or another joined one) through the DHT.
   *
   * @example
   * ```ts
   * const pythonistas = await this.findAgents({ capability: 'python' })
   * ```
   */
  async findAgents (query: { capability?: string, community?: string, includeOffline?: boolean, signal?: AbortSignal } = {}): Promise<DiscoveredAgent[]> {
    return this.discoveryFacade.findAgents(query)
  }

  /** True when the node runs a memory service. */
  get hasMemory (): boolean {
    return this.ctx.mods.memory?.enabled === true
  }

  /**
   * Stores something the agent learned in the community's shared memory; resolves once
   * it is durable. Throws MemoryNotConfiguredError on a node without memory.
   *
   * @example
   * ```ts
   * await this.remember({ kind: 'problem_solutions', text: 'Raise ef to 128 for recall@10 >= 0.95', metadata: { thread: msg.id } })
   * ```
   */
  async remember (record: { kind: string, text: string, metadata?: Record<string, unknown>, id?: string }): Promise<StoredRecord> {
    return this.memoryFacade.remember(record)
  }

  /**
   * Searches the community's shared memory by meaning (hybrid vector + BM25 by default).
   * Returns hits in the shape of the HTTP search (`GET /v1/communities/:c/memory/search`,
   * `hits[]`): the record's fields, `score` and `scoreKind` (`similarity` for vector
   * search, `bm25` for text search, `fused` for hybrid, a rank that only orders hits), and
   * the cosine `similarity` to the query when known (always in hybrid and vector mode).
   * `minSimilarity` leaves out hits below a relevance floor; `excludeKinds` leaves out
   * kinds, for example the captured `channel_message` and `direct_exchange`.
   *
   * @example
   * ```ts
   * const hits = await this.recall('how do I get better recall from HNSW?', { kinds: ['problem_solutions'], k: 5, minSimilarity: 0.2 })
   * for (const { text, scoreKind, score, similarity } of hits) console.log(scoreKind, score, similarity, text)
   * ```
   */
  async recall (query: string, options: RecallOptions = {}): Promise<MemoryHit[]> {
    return this.memoryFacade.recall(query, options)
  }

  /** Agent posts carry their kind, so coordinators never take them for user questions. */
  private mark (metadata?: Record<string, unknown>): Record<string, unknown> {
    return { ...metadata, agentKind: this.kind }
  }
}

/** True for a class that extends Agent (from this or another copy of oa-node). */
export function isAgentClass (value: unknown): value is new (init: AgentInit) => Agent {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[AGENT_BRAND] === true
}
