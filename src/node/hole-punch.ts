import { dcutr } from '@libp2p/dcutr'
import { serviceDependencies } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { CODE_P2P } from '@multiformats/multiaddr'
import { overriding } from '../runtime/overriding.js'
import { holePunchAddressManager } from './observed-addresses.js'
import type { ObservedAddresses } from './observed-addresses.js'
import type { DCUtRServiceComponents } from '@libp2p/dcutr'
import type { Connection, ConnectionGater, IdentifyResult, Libp2pEvents, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, OpenConnectionOptions } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What the hole-punching service needs of libp2p: DCUtR's components, the node's events, its peer id and its connection gater. */
export interface HolePunchComponents extends DCUtRServiceComponents {
  events: TypedEventTarget<Libp2pEvents>
  peerId: PeerId
  connectionGater: ConnectionGater
}

/** The last `/p2p/<peer id>` of the address, or undefined. */
function peerOf (ma: Multiaddr): PeerId | undefined {
  const value = ma.getComponents().findLast(c => c.code === CODE_P2P)?.value
  try {
    return value == null ? undefined : peerIdFromString(value)
  } catch {
    return undefined
  }
}

/**
 * The connection manager as DCUtR sees it: its direct dials (to a list of addresses) go
 * straight to the transports, one address after the other, as the connection gater allows.
 * libp2p's dial queue would drop `initiator: false`, which the side that dials second
 * needs so that the two ends of a TCP simultaneous open do not both start the handshake,
 * and would join a dial already under way to the peer (the relayed one) instead of
 * opening a direct connection. Everything else is the node's connection manager.
 */
export function holePunchConnectionManager (components: Pick<HolePunchComponents, 'connectionManager' | 'transportManager' | 'connectionGater'>): ConnectionManager {
  const { connectionManager, transportManager, connectionGater } = components
  const openConnection = async (target: Parameters<ConnectionManager['openConnection']>[0], options: OpenConnectionOptions = {}): Promise<Connection> => {
    if (!Array.isArray(target)) return connectionManager.openConnection(target, options)
    const signal = options.signal ?? AbortSignal.timeout(10_000)
    let last: unknown = new Error('no address to dial directly')
    for (const ma of target) {
      signal.throwIfAborted()
      const peer = peerOf(ma)
      if (peer != null && await connectionGater.denyDialPeer?.(peer) === true) continue
      if (await connectionGater.denyDialMultiaddr?.(ma) === true) continue
      // the dial's own signal, unlinked once it is done: TCP gives it to the socket, which an abort after the dial would close
      const dialSignal = new AbortController()
      const onAbort = (): void => { dialSignal.abort(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
      try {
        // the transport hands `initiator` to the upgrader
        return await transportManager.dial(ma, { signal: dialSignal.signal, initiator: options.initiator } as Parameters<typeof transportManager.dial>[1])
      } catch (err) {
        last = err
      } finally {
        signal.removeEventListener('abort', onAbort)
      }
    }
    throw last
  }
  return overriding(connectionManager, { openConnection })
}

/**
 * DCUtR with the node's observed addresses: it collects them from identify results
 * (`peer:identify`) and gives DCUtR an address manager that also returns the
 * candidates, so that two nodes behind NATs that keep the mapped port (endpoint-independent
 * mapping) can hole punch, and a connection manager whose direct dials keep DCUtR's
 * roles. Without port reuse the observed ports are ephemeral and of no use: without
 * `observed` it is plain DCUtR.
 */
export class HolePunchService implements Startable {
  readonly [Symbol.toStringTag] = '@oa-node/hole-punch'
  readonly [serviceDependencies]: string[] = ['@libp2p/identify']
  private readonly dcutr: Partial<Startable>

  constructor (private readonly components: HolePunchComponents, readonly observed: ObservedAddresses | undefined) {
    this.dcutr = dcutr()({
      peerStore: components.peerStore,
      registrar: components.registrar,
      transportManager: components.transportManager,
      logger: components.logger,
      connectionManager: observed == null ? components.connectionManager : holePunchConnectionManager(components),
      addressManager: observed == null ? components.addressManager : holePunchAddressManager(components.addressManager, observed, components.peerId)
    }) as Partial<Startable>
  }

  async start (): Promise<void> {
    if (this.observed != null) this.components.events.addEventListener('peer:identify', this.onIdentify)
    await this.dcutr.start?.()
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.dcutr.stop?.()
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, observedAddr } = event.detail
    if (observedAddr != null) this.observed?.observe(peerId.toString(), observedAddr)
  }
}

/** The hole-punching service factory, for `services.dcutr`: it fills `observed` and sends its candidates (with `network.reusePort`); without, plain DCUtR. */
export function holePunching (observed: ObservedAddresses | undefined): (components: HolePunchComponents) => HolePunchService {
  return components => new HolePunchService(components, observed)
}
