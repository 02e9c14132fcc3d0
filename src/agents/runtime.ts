import { pathToFileURL } from 'node:url'
import { TypedEventEmitter } from '@libp2p/interface'
import { EventTypes } from '../events/types.js'
import { isAgentClass } from './agent.js'
import { CoordinatorAgent } from './builtin/coordinator.js'
import { ExpertAgent } from './builtin/expert.js'
import { AgentAttachError, AgentLoadError } from './errors.js'
import { LlmClient } from './llm/client.js'
import { toChannelMessage } from './message.js'
import type { CommentView, TopicView } from '../mods/forum/views.js'
import type { Agent, AgentInit, AgentLogger } from './agent.js'
import type { AgentFacades } from './facades.js'
import type { LlmSettings } from './llm/client.js'
import type { Channels } from '../channels/channels.js'
import type { ObservedEvent } from '../channels/context.js'
import type { AgentConfig } from '../config/schema.js'
import type { Discovery } from '../discovery/discovery.js'
import type { FacadeAgent } from '../mods/contract.js'
import type { WikiProposalEvent } from '../mods/wiki/service.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'

export interface AgentRuntimeComponents {
  peerId: PeerId
  channels: Channels
  discovery: Discovery
  logger: ComponentLogger
}

/** Makes the facades of the node's mods for one agent; `service` finds a mod's service by name. */
export type FacadeMaker = (agent: FacadeAgent, service: (name: string) => unknown) => Partial<AgentFacades>

export interface AgentRuntimeInit {
  agents: AgentConfig[]
  llm: LlmSettings
  /** The mods' facades an agent gets (`createNode` composes them); none when absent. */
  facades?: FacadeMaker
}

/** One hosted agent, as `GET /v1/status` lists it. */
export interface AgentStatus {
  name: string
  id: string
  kind: string
  community: string
  capabilities: string[]
  channels: string[]
  /** `running`, or `failed` when its module or settings could not be loaded. */
  state: 'loading' | 'running' | 'failed' | 'stopped'
  /** Why it failed. */
  error?: string
  /** The module file, for agents loaded from one. */
  module?: string
  /** The gateway an attached agent came through (`remote`, ...); absent for the node's own agents. */
  via?: string
}

export interface AgentLogEvent {
  agent: string
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  fields?: Record<string, unknown>
}

export interface AgentRuntimeEvents {
  /** Agents' log lines, and the runtime's own reports about them (load failures, handler errors). */
  log: CustomEvent<AgentLogEvent>
}

interface Entry {
  config: AgentConfig
  agent?: Agent
  state: AgentStatus['state']
  error?: string
  unhandle?: () => void
  /** The gateway it came through, for an attached agent. */
  via?: string
}

const BUILT_IN: Record<string, new (init: AgentInit) => Agent> = {
  expert: ExpertAgent,
  coordinator: CoordinatorAgent
}

/**
 * Hosts a node's agents: builds the built-in types and loads user modules from config,
 * connects them to the channels, discovery and LLM services, dispatches channel posts,
 * mentions and direct requests to their handlers, and starts and stops them with the
 * node. A handler that throws is logged and the agent keeps running; an agent that
 * fails to load is reported, and the others run.
 */
export class AgentRuntime extends TypedEventEmitter<AgentRuntimeEvents> implements Startable {
  readonly llm: LlmClient
  private readonly components: AgentRuntimeComponents
  private readonly init: AgentRuntimeInit
  private readonly debug: Logger
  private readonly entries = new Map<string, Entry>()
  private started = false

  constructor (components: AgentRuntimeComponents, init: AgentRuntimeInit) {
    super()
    this.components = components
    this.init = init
    this.llm = new LlmClient(init.llm)
    this.debug = components.logger.forComponent('oa:agents')
  }

  readonly [Symbol.toStringTag] = 'oa:agents'

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    for (const config of this.init.agents) {
      const entry: Entry = { config, state: 'loading' }
      this.entries.set(config.name, entry)
      try {
        entry.agent = await this.build(config)
      } catch (err) {
        entry.state = 'failed'
        entry.error = (err as Error).message
        this.report(config.name, 'error', entry.error)
      }
    }
    this.started = true
  }

  /** The wiki service's proposals, when the wiki mod is on. */
  private wikiEvents (): EventTarget | undefined {
    const wiki = this.service('wiki')
    return wiki instanceof EventTarget ? wiki : undefined
  }

  /** The forum service's live topics and comments, when the forum mod is on. */
  private forumEvents (): EventTarget | undefined {
    const forum = this.service('forum')
    return forum instanceof EventTarget ? forum : undefined
  }

  async afterStart (): Promise<void> {
    this.components.channels.addEventListener('event', this.onEvent)
    this.wikiEvents()?.addEventListener('proposal', this.onWikiProposal)
    this.forumEvents()?.addEventListener('topic', this.onForumTopic)
    this.forumEvents()?.addEventListener('comment', this.onForumComment)
    for (const entry of this.entries.values()) {
      if (entry.agent != null && entry.state === 'loading') await this.connect(entry)
    }
  }

  async beforeStop (): Promise<void> {
    this.components.channels.removeEventListener('event', this.onEvent)
    this.wikiEvents()?.removeEventListener('proposal', this.onWikiProposal)
    this.forumEvents()?.removeEventListener('topic', this.onForumTopic)
    this.forumEvents()?.removeEventListener('comment', this.onForumComment)
    await Promise.all([...this.entries.values()].map(async entry => this.disconnect(entry)))
  }

  stop (): void {
    this.started = false
  }

  /** The hosted agents and their state. */
  list (): AgentStatus[] {
    const peer = this.components.peerId.toString()
    return [...this.entries.values()].map(({ config, agent, state, error, via }) => ({
      name: config.name,
      id: `${config.name}@${peer}`,
      kind: agent?.kind ?? config.type ?? 'custom',
      community: config.community ?? '',
      capabilities: agent?.capabilities ?? config.capabilities ?? [],
      channels: agent?.channels ?? config.channels ?? ['general'],
      state,
      ...(error == null ? {} : { error }),
      ...(config.module == null ? {} : { module: config.module }),
      ...(via == null ? {} : { via })
    }))
  }

  /** A running agent by name. */
  get (name: string): Agent | undefined {
    const entry = this.entries.get(name)
    return entry?.state === 'running' ? entry.agent : undefined
  }

  /**
   * Adds an agent to a running node (agents from config are added at start).
   *
   * @example
   * ```ts
   * await node.libp2p.services.agents.add(new MyBot({ name: 'my_bot', community: 'devsupport' }))
   * ```
   */
  async add (agent: Agent): Promise<void> {
    if (this.entries.has(agent.name)) throw new Error(`an agent named "${agent.name}" already runs on this node`)
    const entry: Entry = { config: { name: agent.name, community: agent.community, capabilities: agent.capabilities, channels: agent.channels }, agent, state: 'loading' }
    this.entries.set(agent.name, entry)
    if (this.started) await this.connect(entry)
  }

  /**
   * Hosts an agent made outside the node's config (a gateway's agent: a remote process,
   * an A2A peer) from now until the returned function is called: its facades, its direct
   * handler, its card in discovery and its presence, exactly as a configured agent. The
   * node must be running; a name taken on this node is refused. Detaching announces the
   * agent offline, calls `onStop`, removes its handler and card, and forgets it; it is
   * also what stopping the node does. A detach called twice does nothing the second time.
   *
   * @example
   * ```ts
   * const detach = await node.libp2p.services.agents.attach(new MyBot({ name: 'my_bot', community: 'devsupport' }), { via: 'remote' })
   * // ... later, when its connection closes
   * await detach()
   * ```
   */
  async attach (agent: Agent, options: { via?: string } = {}): Promise<() => Promise<void>> {
    if (!this.started) throw new AgentAttachError('not_running', `agent ${agent.name}: the node's agent runtime is not running`)
    if (this.entries.has(agent.name)) throw new AgentAttachError('name_taken', `an agent named "${agent.name}" already runs on this node`)
    const entry: Entry = { config: { name: agent.name, community: agent.community, capabilities: agent.capabilities, channels: agent.channels, description: agent.description }, agent, state: 'loading', via: options.via }
    this.entries.set(agent.name, entry)
    await this.connect(entry)
    if (entry.state !== 'running') {
      this.entries.delete(agent.name)
      throw new AgentAttachError('attach_failed', entry.error ?? `agent ${agent.name} could not be connected`)
    }
    let detached: Promise<void> | undefined
    return async () => {
      detached ??= (async () => {
        await this.disconnect(entry)
        if (this.entries.get(agent.name) === entry) this.entries.delete(agent.name)
      })()
      await detached
    }
  }

  /**
   * Stops an agent and takes it off the node: its direct handler, its card and its DHT
   * keys go, and `onStop` runs. False when no agent has that name.
   *
   * @example
   * ```ts
   * await node.libp2p.services.agents.remove('my_bot')
   * ```
   */
  async remove (name: string): Promise<boolean> {
    const entry = this.entries.get(name)
    if (entry == null) return false
    await this.disconnect(entry)
    this.entries.delete(name)
    return true
  }

  private async build (config: AgentConfig): Promise<Agent> {
    const init: AgentInit = {
      name: config.name,
      community: config.community ?? '',
      capabilities: config.capabilities,
      description: config.description,
      examples: config.examples,
      channels: config.channels,
      instructions: config.instructions,
      options: config.options
    }
    if (config.type != null) {
      const Type = BUILT_IN[config.type]
      if (Type == null) throw new AgentLoadError(`agent ${config.name}: unknown type "${config.type}"`)
      return new Type(init)
    }
    const file = config.module ?? ''
    let mod: { default?: unknown }
    try {
      mod = await import(pathToFileURL(file).href) as { default?: unknown }
    } catch (err) {
      throw new AgentLoadError(`agent ${config.name}: cannot load module ${file}: ${(err as Error).message.split('\n')[0] ?? ''}`)
    }
    if (!isAgentClass(mod.default)) {
      throw new AgentLoadError(`agent ${config.name}: module ${file} has no default export extending Agent (write: export default class extends Agent { ... })`)
    }
    try {
      return new mod.default(init)
    } catch (err) {
      throw new AgentLoadError(`agent ${config.name}: the constructor in ${file} threw: ${(err as Error).message}`)
    }
  }

  private logger (name: string): AgentLogger {
    return {
      debug: (message, fields) => { this.report(name, 'debug', message, fields) },
      info: (message, fields) => { this.report(name, 'info', message, fields) },
      warn: (message, fields) => { this.report(name, 'warn', message, fields) },
      error: (message, fields) => { this.report(name, 'error', message, fields) }
    }
  }

  private report (agent: string, level: AgentLogEvent['level'], message: string, fields?: Record<string, unknown>): void {
    this.debug('%s %s: %s', level, agent, message)
    this.safeDispatchEvent('log', { detail: { agent, level, message, ...(fields == null ? {} : { fields }) } })
  }

  private async connect (entry: Entry): Promise<void> {
    const agent = entry.agent
    if (agent == null) return
    const { channels, discovery } = this.components
    try {
      const peerId = this.components.peerId.toString()
      const mods = this.init.facades?.({ name: agent.name, id: `${agent.name}@${peerId}`, community: agent.community, kind: agent.kind }, name => this.service(name)) ?? {}
      agent.attach({ peerId, llm: this.llm, log: this.logger(agent.name), mods })
      for (const channel of agent.channels) channels.openChannel(agent.community, channel)
      entry.unhandle = channels.handleDirect(agent.name, async (request, { signal }) => {
        try {
          return await agent.onDirect(request, { signal })
        } catch (err) {
          this.report(agent.name, 'warn', `onDirect failed: ${(err as Error).message}`)
          throw err
        }
      })
      discovery.register({ name: agent.name, description: agent.description, community: agent.community, capabilities: agent.capabilities, channels: agent.channels, kind: agent.kind, examples: agent.examples })
      entry.state = 'running'
    } catch (err) {
      entry.state = 'failed'
      entry.error = `agent ${agent.name}: ${(err as Error).message}`
      this.report(agent.name, 'error', entry.error)
      return
    }
    await this.invoke(agent, 'onStart')
    await this.presence(agent, EventTypes.AGENT_PRESENCE_ONLINE)
  }

  /** A service of the node by name; undefined when that mod is off. */
  private service (name: string): unknown {
    try {
      return (this.components as unknown as Record<string, unknown>)[name]
    } catch {
      return undefined
    }
  }

  private async disconnect (entry: Entry): Promise<void> {
    const agent = entry.agent
    if (agent == null || entry.state !== 'running') return
    // off at once: no new event, request or lookup reaches it while it says goodbye
    entry.state = 'stopped'
    entry.unhandle?.()
    this.components.discovery.unregister(agent.name)
    await this.presence(agent, EventTypes.AGENT_PRESENCE_OFFLINE)
    await this.invoke(agent, 'onStop')
  }

  private async presence (agent: Agent, type: string): Promise<void> {
    try {
      await this.components.channels.publish({
        community: agent.community,
        channel: agent.channels[0] ?? 'general',
        type,
        agent: agent.name,
        payload: { agent: agent.id, capabilities: agent.capabilities, description: agent.description }
      })
    } catch (err) {
      this.debug('presence of %s not published: %s', agent.name, (err as Error).message)
    }
  }

  /** Runs a handler; an error is reported and the agent keeps running. */
  private async invoke (agent: Agent, handler: 'onStart' | 'onStop', ...args: []): Promise<void>
  private async invoke (agent: Agent, handler: 'onChannelPost' | 'onMention', message: ReturnType<typeof toChannelMessage>): Promise<void>
  private async invoke (agent: Agent, handler: 'onStart' | 'onStop' | 'onChannelPost' | 'onMention', message?: ReturnType<typeof toChannelMessage>): Promise<void> {
    try {
      if (handler === 'onChannelPost' || handler === 'onMention') {
        if (message != null) await agent[handler](message)
      } else {
        await agent[handler]()
      }
    } catch (err) {
      this.report(agent.name, 'warn', `${handler} failed: ${(err as Error).message}`)
    }
  }

  /** A live proposal for a page this node owns: to the running agents of its community, but its author. */
  private readonly onWikiProposal = (evt: Event): void => {
    const detail = (evt as CustomEvent<WikiProposalEvent>).detail
    for (const entry of this.entries.values()) {
      const agent = entry.agent
      if (agent == null || entry.state !== 'running' || agent.community !== detail.community || detail.proposal.author === agent.id) continue
      agent.onWikiProposal(detail).catch((err: unknown) => { this.report(agent.name, 'warn', `onWikiProposal failed: ${(err as Error).message}`) })
    }
  }

  /** A live topic: to the running agents of its community, but its author. */
  private readonly onForumTopic = (evt: Event): void => {
    const { topic } = (evt as CustomEvent<{ topic: TopicView }>).detail
    for (const entry of this.entries.values()) {
      const agent = entry.agent
      if (agent == null || entry.state !== 'running' || agent.community !== topic.community || topic.author === agent.id) continue
      agent.onForumTopic(topic).catch((err: unknown) => { this.report(agent.name, 'warn', `onForumTopic failed: ${(err as Error).message}`) })
    }
  }

  /** A live comment: to the running agents of its topic's community, but its author. */
  private readonly onForumComment = (evt: Event): void => {
    const { comment, community } = (evt as CustomEvent<{ comment: CommentView, community: string }>).detail
    for (const entry of this.entries.values()) {
      const agent = entry.agent
      if (agent == null || entry.state !== 'running' || agent.community !== community || comment.author === agent.id) continue
      agent.onForumComment(comment).catch((err: unknown) => { this.report(agent.name, 'warn', `onForumComment failed: ${(err as Error).message}`) })
    }
  }

  private readonly onEvent = (evt: CustomEvent<ObservedEvent>): void => {
    const { event, origin } = evt.detail
    // live posts only: backfilled history is not re-answered
    if (origin !== 'gossip' && origin !== 'local') return
    if (event.type !== EventTypes.CHANNEL_MESSAGE_POST && event.type !== EventTypes.CHANNEL_MESSAGE_REPLY) return
    const message = toChannelMessage(event)
    for (const entry of this.entries.values()) {
      const agent = entry.agent
      if (agent == null || entry.state !== 'running' || agent.community !== event.community || event.source === agent.id) continue
      if (agent.channels.includes(message.channel)) void this.invoke(agent, 'onChannelPost', message)
      if (message.mentions.includes(agent.name)) void this.invoke(agent, 'onMention', message)
    }
  }
}
