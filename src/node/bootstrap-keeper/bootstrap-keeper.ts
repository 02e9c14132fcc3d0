import { TypedEventEmitter } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { ComponentLogger, Libp2pEvents, Logger, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

const FALLBACK_FIRST_DIAL_MS = 1000

export interface BootstrapKeeperInit {
  /** Bootstrap multiaddrs, each ending in `/p2p/<peer id>`. */
  list: string[]
  /** First retry delay; doubles after each failed round. Default 1 s. */
  minBackoffMs?: number
  /** Longest delay between rounds. Default 60 s. */
  maxBackoffMs?: number
  /** Time allowed for one dial. Default 10 s. */
  dialTimeoutMs?: number
}

export interface BootstrapKeeperComponents {
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export interface UnreachableDetail {
  /** A one-line description for the operator. */
  message: string
  /** Failed rounds in a row. */
  attempt: number
  /** When the next round runs. */
  retryInMs: number
}

export interface BootstrapKeeperEvents {
  unreachable: CustomEvent<UnreachableDetail>
  joined: CustomEvent<{ peers: number }>
}

export class BootstrapKeeper extends TypedEventEmitter<BootstrapKeeperEvents> implements Startable {
  private readonly components: BootstrapKeeperComponents
  private readonly list: Multiaddr[]
  private readonly minBackoffMs: number
  private readonly maxBackoffMs: number
  private readonly dialTimeoutMs: number
  private readonly log: Logger
  private timer?: ReturnType<typeof setTimeout>
  private started = false
  private backoffMs: number
  private failures = 0
  private controller?: AbortController

  constructor (components: BootstrapKeeperComponents, init: BootstrapKeeperInit) {
    super()
    this.components = components
    this.list = init.list.map(s => multiaddr(s))
    this.minBackoffMs = init.minBackoffMs ?? 1_000
    this.maxBackoffMs = init.maxBackoffMs ?? 60_000
    this.dialTimeoutMs = init.dialTimeoutMs ?? 10_000
    this.backoffMs = this.minBackoffMs
    this.log = components.logger.forComponent('oa:bootstrap-keeper')
  }

  readonly [Symbol.toStringTag] = 'oa:bootstrap-keeper'

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    if (this.started || this.list.length === 0) return
    this.started = true
    this.controller = new AbortController()
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.components.events.addEventListener('connection:close', this.onClose)
    // the first dial waits until the node listens: a peer identified before that would
    // learn no addresses for this node, and its DHT would ignore it
    this.components.events.addEventListener('transport:listening', this.onListening, { once: true })
    // a node that listens nowhere still joins
    this.schedule(FALLBACK_FIRST_DIAL_MS)
  }

  private readonly onListening = (): void => {
    if (this.started) this.schedule(0)
  }

  stop (): void {
    this.started = false
    this.controller?.abort()
    clearTimeout(this.timer)
    this.timer = undefined
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.components.events.removeEventListener('connection:close', this.onClose)
    this.components.events.removeEventListener('transport:listening', this.onListening)
  }

  private connectionCount (): number {
    return this.components.connectionManager.getConnections().length
  }

  private readonly onOpen = (): void => {
    if (this.failures > 0) this.safeDispatchEvent('joined', { detail: { peers: this.connectionCount() } })
    this.failures = 0
    this.backoffMs = this.minBackoffMs
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private readonly onClose = (): void => {
    // the closing connection may still be counted while this event runs
    if (this.started && this.timer == null) this.schedule(this.minBackoffMs)
  }

  private schedule (delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.round()
    }, delayMs)
    this.timer.unref()
  }

  private async round (): Promise<void> {
    if (!this.started || this.connectionCount() > 0) return
    const signal = AbortSignal.any([this.controller?.signal ?? new AbortController().signal, AbortSignal.timeout(this.dialTimeoutMs)])
    const results = await Promise.allSettled(this.list.map(async ma => this.components.connectionManager.openConnection(ma, { signal })))
    if (!this.started) return
    if (results.some(r => r.status === 'fulfilled')) {
      this.log('joined through a bootstrap peer')
      return
    }
    this.failures++
    const retryInMs = this.backoffMs
    const reasons = results.map((r, i) => `${this.list[i]?.toString() ?? '?'}: ${r.status === 'rejected' ? shortReason(r.reason) : 'ok'}`)
    this.safeDispatchEvent('unreachable', {
      detail: {
        message: `cannot reach any bootstrap peer (${reasons.join('; ')}); retrying in ${Math.round(retryInMs / 1000)}s`,
        attempt: this.failures,
        retryInMs
      }
    })
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2)
    this.schedule(retryInMs)
  }
}

function shortReason (reason: unknown): string {
  if (reason instanceof Error) {
    const aggregate = reason as Error & { errors?: unknown[] }
    const first = aggregate.errors?.[0]
    if (first instanceof Error) return first.message
    return reason.message
  }
  return String(reason)
}
