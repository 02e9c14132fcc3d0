import { RejectionCounter } from '../../counts/rejection-counter.js'
import { VERSION } from '../../version.js'
import { CLOSE_CODES } from './constants.js'
import { RemoteConnection } from './connection.js'
import { FRAME_REJECTIONS } from './errors.js'
import { AgentTokens } from './tokens.js'
import type { FrameRejection } from './errors.js'
import type { AgentTokenScope } from './tokens.js'
import type { AgentRuntime } from '../../agents/runtime.js'
import type { Channels } from '../../channels/channels.js'
import type { RejectionCounts } from '../../counts/rejection-counter.js'
import type { ModSocketConnection } from '../../mods/contract.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'

export interface RemoteAgentGatewayComponents {
  peerId: PeerId
  agents: AgentRuntime
  channels: Channels
  logger: ComponentLogger
}

export interface RemoteAgentGatewayInit {
  dataDir: string
  /** How long the node waits for a remote agent's answer to a direct request. */
  directTimeoutMs: number
}

/** What `GET /v1/status` shows under `remote_agents`. */
export interface RemoteAgentGatewayStatus {
  connections: number
  /** The agents connected, by name, with the scope of their connection's token. */
  agents: Array<{ name: string, token: 'api' | 'agent' }>
  /** Refused frames by reason. */
  rejected: RejectionCounts<FrameRejection, never>
}

/**
 * The remote-agent gateway: processes in any language connect over `WS /v1/agents/connect`
 * (subprotocol `oa-agent.v1`), register agents, and the node hosts those agents like its
 * own through `AgentRuntime.attach`. It holds the connections, the per-agent tokens and
 * the counts of refused frames.
 */
export class RemoteAgentGateway implements Startable {
  readonly tokens: AgentTokens
  private readonly components: RemoteAgentGatewayComponents
  private readonly init: RemoteAgentGatewayInit
  private readonly connections = new Set<RemoteConnection>()
  private readonly counter = new RejectionCounter(FRAME_REJECTIONS)
  private readonly log: Logger
  private started = false

  constructor (components: RemoteAgentGatewayComponents, init: RemoteAgentGatewayInit) {
    this.components = components
    this.init = init
    this.tokens = new AgentTokens(init.dataDir)
    this.log = components.logger.forComponent('oa:gateway:remote')
  }

  readonly [Symbol.toStringTag] = 'oa:remote-agents'

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    this.started = true
  }

  async beforeStop (): Promise<void> {
    this.goodbye()
    await Promise.all([...this.connections].map(async c => c.close()))
  }

  /** Tells every connected agent that the node is stopping (a `stop` event), then closes the connections (1001). */
  goodbye (): void {
    for (const connection of this.connections) {
      for (const agent of connection.agents()) connection.send({ type: 'event', agent, event: 'stop', data: null })
      connection.end(CLOSE_CODES.goingAway, 'the node is stopping')
    }
  }

  stop (): void {
    this.started = false
  }

  /** The scope of a per-agent token, or undefined for a token the node did not issue. */
  async principal (token: string): Promise<AgentTokenScope | undefined> {
    return this.tokens.verify(token)
  }

  /** Serves an authenticated connection (`principal`: a per-agent token's scope, or undefined for the API token). */
  accept ({ ws, principal }: ModSocketConnection): void {
    if (!this.started) {
      ws.close(CLOSE_CODES.goingAway, 'the node is stopping')
      return
    }
    const connection = new RemoteConnection(ws, principal as AgentTokenScope | undefined, {
      runtime: this.components.agents,
      peerId: this.components.peerId.toString(),
      version: VERSION,
      communities: () => this.components.channels.communities(),
      directTimeoutMs: this.init.directTimeoutMs,
      rejected: reason => { this.counter.add(reason) },
      log: (format, ...args) => { this.log(format, ...args) }
    })
    this.connections.add(connection)
    ws.on('close', () => { this.connections.delete(connection) })
  }

  /**
   * Revokes an agent's token and disconnects the connections that used it.
   *
   * @example
   * ```ts
   * await node.libp2p.services.remote_agents.revoke('py_worker')   // { revoked: true, disconnected: 1 }
   * ```
   */
  async revoke (agent: string): Promise<{ revoked: boolean, disconnected: number }> {
    const revoked = await this.tokens.revoke(agent)
    let disconnected = 0
    for (const connection of this.connections) {
      if (connection.scope?.agent !== agent) continue
      connection.end(CLOSE_CODES.revoked, `the token of ${agent} was revoked`)
      disconnected++
    }
    return { revoked, disconnected }
  }

  /** Frames refused so far, by reason. */
  rejected (): RejectionCounts<FrameRejection, never> {
    return this.counter.snapshot()
  }

  status (): RemoteAgentGatewayStatus {
    const agents = [...this.connections].flatMap(c => c.agents().map(name => ({ name, token: c.scope == null ? 'api' as const : 'agent' as const })))
    return { connections: this.connections.size, agents, rejected: this.rejected() }
  }
}
