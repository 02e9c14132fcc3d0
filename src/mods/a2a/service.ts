import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { attachAgent } from '../../agents/attach.js'
import { OaError } from '../../errors.js'
import { A2A_DB_FILE } from './files.js'
import { loadOrCreateA2AToken } from './token.js'
import type { A2AConfig, RemoteAgentConfig } from './config.js'
import type { InboundGateway, InboundRefusal } from './inbound.js'
import type { A2ARemoteAgent } from './remote-agent.js'
import type { A2AStore } from './store.js'
import type { DetachAgent } from '../../agents/attach.js'
import type { AgentRuntime } from '../../agents/runtime.js'
import type { Channels } from '../../channels/channels.js'
import type { CommunityAccess } from '../../communities/access.js'
import type { RejectionCounts } from '../../counts/rejection-counter.js'
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'

export interface A2AComponents {
  peerId: PeerId
  privateKey: PrivateKey
  communities: CommunityAccess
  channels: Channels
  agents: AgentRuntime
  logger: ComponentLogger
}

export interface A2AServiceInit {
  config: A2AConfig
  dataDir: string
}

/** An external A2A agent this node hosts, as `oa-node a2a list` shows it. */
export interface RemoteAgentView {
  name: string
  /** `<name>@<peer id>` once it runs. */
  id: string
  community: string
  url: string
  /** `config` (from `a2a.remote`) or `added` (by `oa-node a2a add`, kept in a2a.db). */
  source: 'config' | 'added'
  /** `running`, or `unreachable` while its card cannot be read (tried again every 30 s). */
  state: 'running' | 'unreachable'
  capabilities: string[]
  description: string
  error?: string
}

/** What `GET /v1/status` shows under `a2a`. */
export interface A2AStatus {
  inbound: { url?: string, agents: string[], tasks: number, active: number, refused: RejectionCounts<InboundRefusal, never> } | { url?: undefined }
  remote: RemoteAgentView[]
}

interface Remote {
  config: RemoteAgentConfig & { name?: string }
  source: RemoteAgentView['source']
  view: RemoteAgentView
  detach?: DetachAgent
}

const RETRY_MS = 30_000

/** Who asks the node's agents over A2A: the source of its direct requests. */
export const A2A_ASKER = 'a2a'

/**
 * The A2A gateway, both ways. Inbound (with `a2a.port`): each agent the node hosts is an
 * A2A 1.0 server (see InboundGateway). Outbound: external A2A agents, from `a2a.remote`
 * or added at run time, are hosted as agents of a community: their skills are
 * capabilities in the DHT, and direct requests to them go out over A2A.
 *
 * @example
 * ```ts
 * const a2a = node.service<A2AService>('a2a')
 * await a2a?.add({ community: 'devsupport', url: 'http://127.0.0.1:9000' })
 * ```
 */
export class A2AService implements Startable {
  private readonly components: A2AComponents
  private readonly init: A2AServiceInit
  private readonly log: Logger
  private readonly remotes = new Map<string, Remote>()
  private store?: A2AStore
  private inbound?: InboundGateway
  private retryTimer?: ReturnType<typeof setInterval>
  private unnamed = 0
  private started = false

  constructor (components: A2AComponents, init: A2AServiceInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:a2a')
  }

  readonly [Symbol.toStringTag] = 'oa:a2a'

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    // a node that never used the gateway has no a2a.db, and gets none until it does (nor
    // loads the A2A SDK)
    if (this.init.config.port != null || existsSync(this.dbPath())) {
      const { A2AStore } = await import('./store.js')
      this.store = A2AStore.open(this.dbPath())
      const ended = this.store.failUnfinished('the node stopped while this task ran; send the message again')
      if (ended > 0) this.log('%d A2A tasks left unfinished by the last run are failed', ended)
    }
    this.started = true
  }

  private dbPath (): string {
    return join(this.init.dataDir, A2A_DB_FILE)
  }

  async afterStart (): Promise<void> {
    const { config } = this.init
    if (config.port != null) {
      const token = await loadOrCreateA2AToken(this.init.dataDir)
      const { agents, channels, peerId, privateKey } = this.components
      const { InboundGateway } = await import('./inbound.js')
      this.inbound = new InboundGateway({
        host: config.host,
        port: config.port,
        url: config.url,
        token,
        maxRunningTasks: config.maxRunningTasks,
        peerId: peerId.toString(),
        privateKey,
        store: await this.requireStore(),
        agent: (name) => {
          const running = agents.get(name)
          return running == null ? undefined : { name, community: running.community, capabilities: running.capabilities, kind: running.kind, description: running.description }
        },
        ask: async (agent, payload, signal) => (await channels.request({ community: agent.community, from: A2A_ASKER, to: `${agent.name}@${peerId.toString()}`, payload, signal })).payload
      })
      const url = await this.inbound.start()
      this.log('A2A gateway listening at %s', url)
    }
    for (const remote of config.remote) this.track(remote, 'config')
    for (const remote of this.store?.remotes() ?? []) this.track(remote, 'added')
    await Promise.all([...this.remotes.values()].map(async remote => this.connect(remote)))
    this.retryTimer = setInterval(() => { void this.retry() }, RETRY_MS)
    this.retryTimer.unref()
  }

  async beforeStop (): Promise<void> {
    clearInterval(this.retryTimer)
    await this.inbound?.stop()
    this.inbound = undefined
    await Promise.all([...this.remotes.values()].map(async remote => remote.detach?.()))
  }

  stop (): void {
    this.started = false
    this.remotes.clear()
    this.store?.close()
    this.store = undefined
  }

  /** The inbound gateway's base URL, when it listens. */
  get inboundUrl (): string | undefined {
    return this.inbound?.url
  }

  /**
   * Brings an external A2A agent into a community this node joined: reads its card, hosts
   * it as `<name>@<this peer id>` (the card's name unless `name` is given), and keeps it
   * in a2a.db so it is hosted again after a restart.
   *
   * @example
   * ```ts
   * const view = await a2a.add({ community: 'devsupport', url: 'http://127.0.0.1:9000', token: 'secret' })
   * view.capabilities   // the card's skills
   * ```
   */
  async add (config: RemoteAgentConfig, signal?: AbortSignal): Promise<RemoteAgentView> {
    this.refuseCommunity(config.community)
    const { A2ARemoteAgent, agentNameOf, connectA2A } = await import('./remote-agent.js')
    const { card, client } = await connectA2A(config.url, config.token, signal)
    const name = config.name ?? agentNameOf(card.name)
    this.refuseTaken(name)
    const remote = this.track({ ...config, name }, 'added')
    try {
      await this.attach(remote, new A2ARemoteAgent({ name, community: config.community, url: config.url, card, client }))
    } catch (err) {
      this.remotes.delete(name)
      throw err
    }
    const store = await this.requireStore()
    store.saveRemote(name, config)
    return remote.view
  }

  /**
   * Takes an external agent added at run time off the node (and out of a2a.db). One from
   * `a2a.remote` in the config is refused: it would come back at the next start.
   *
   * @example
   * ```ts
   * await a2a.remove('weather')
   * ```
   */
  async remove (name: string): Promise<RemoteAgentView> {
    const remote = this.remotes.get(name)
    if (remote == null) throw new OaError('not_found', `no external A2A agent named "${name}" on this node (see oa-node a2a list)`, { status: 404 })
    if (remote.source === 'config') throw new OaError('in_config', `${name} comes from a2a.remote in the node's config; remove it there`, { status: 409 })
    await remote.detach?.()
    this.remotes.delete(name)
    const store = await this.requireStore()
    store.removeRemote(name)
    return remote.view
  }

  /** The external agents this node hosts. */
  list (): RemoteAgentView[] {
    return [...this.remotes.values()].map(r => r.view)
  }

  status (): A2AStatus {
    const inbound = this.inbound
    return {
      inbound: inbound == null
        ? {}
        : { url: inbound.url, agents: this.components.agents.list().filter(a => a.state === 'running').map(a => a.name), tasks: this.store?.taskCount() ?? 0, active: inbound.active, refused: inbound.refused.snapshot() },
      remote: this.list()
    }
  }

  /** An agent speaks in its community: the node must have joined it, and may write there. */
  private refuseCommunity (community: string): void {
    if (!this.components.channels.communities().includes(community)) {
      throw new OaError('not_member', `this node has not joined community "${community}" (join it first: oa-node community join ${community})`, { status: 404 })
    }
    if (!this.components.communities.mayWrite(community, this.components.peerId.toString())) {
      throw new OaError('read_only', `this node may read ${community} but not write there, so it cannot host an agent in it`, { status: 403 })
    }
  }

  private refuseTaken (name: string): void {
    if (this.remotes.has(name) || this.components.agents.list().some(a => a.name === name)) {
      throw new OaError('name_taken', `an agent named "${name}" already runs on this node; give another with --name`, { status: 409 })
    }
  }

  private async requireStore (): Promise<A2AStore> {
    const notStarted = (): OaError => new OaError('not_started', 'the a2a mod has not started', { status: 503 })
    if (!this.started) throw notStarted()
    if (this.store == null) {
      const { A2AStore } = await import('./store.js')
      // stopped while the module loaded: open nothing that stop() would not close
      if (!this.started) throw notStarted()
      this.store ??= A2AStore.open(this.dbPath())
    }
    return this.store
  }

  private track (config: RemoteAgentConfig, source: Remote['source']): Remote {
    const name = config.name ?? ''
    const remote: Remote = {
      config,
      source,
      view: { name, id: '', community: config.community, url: config.url, source, state: 'unreachable', capabilities: [], description: '' }
    }
    // one whose card is not read yet is keyed apart until it has a name
    this.remotes.set(name === '' ? `unnamed:${++this.unnamed}` : name, remote)
    return remote
  }

  private async attach (remote: Remote, agent: A2ARemoteAgent): Promise<void> {
    const { capabilitiesOf } = await import('./remote-agent.js')
    remote.detach = await attachAgent(this.components.agents, agent)
    remote.view = { ...remote.view, name: agent.name, id: `${agent.name}@${this.components.peerId.toString()}`, state: 'running', capabilities: capabilitiesOf(agent.card), description: agent.description }
    delete remote.view.error
  }

  /** Reads a tracked agent's card and hosts it; a failure is shown in its view and tried again later. */
  private async connect (remote: Remote): Promise<void> {
    try {
      this.refuseCommunity(remote.config.community)
      const { A2ARemoteAgent, agentNameOf, connectA2A } = await import('./remote-agent.js')
      const { card, client } = await connectA2A(remote.config.url, remote.config.token)
      const name = remote.config.name ?? agentNameOf(card.name)
      const key = [...this.remotes.entries()].find(([, r]) => r === remote)?.[0]
      if (key !== name) {
        this.refuseTaken(name)
        if (key != null) this.remotes.delete(key)
        this.remotes.set(name, remote)
      }
      await this.attach(remote, new A2ARemoteAgent({ name, community: remote.config.community, url: remote.config.url, card, client }))
      this.log('hosting the A2A agent at %s as %s', remote.config.url, name)
    } catch (err) {
      remote.view = { ...remote.view, state: 'unreachable', error: (err as Error).message }
      this.log('cannot host the A2A agent at %s yet: %s', remote.config.url, (err as Error).message)
    }
  }

  private async retry (): Promise<void> {
    for (const remote of this.remotes.values()) {
      if (remote.view.state !== 'running' && this.started) await this.connect(remote)
    }
  }
}
