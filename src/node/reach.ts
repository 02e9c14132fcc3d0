import { networkInterfaces } from 'node:os'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { holePunching } from './hole-punch.js'
import type { ObservedAddresses } from './observed-addresses.js'
import type { NodeConfig } from '../config/schema.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Connection, Libp2pEvents, PeerInfo, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { UPnPNAT, UPnPNATComponents } from '@libp2p/upnp-nat'

/** How the node can be reached: `public` (a verified public address), `private` (behind NAT or on a private network only), `unknown` (a public address not verified yet). */
export type Reachability = 'public' | 'private' | 'unknown'

/** What `status().reach` reports. */
export interface ReachStatus {
  reachability: Reachability
  /** Relays this node holds a reservation on (their peer ids): it is reachable through them. */
  relayReservations: { held: string[], served: number }
  /** The node offers a relay service (`network.relay.serve`). */
  relayServing: boolean
  /** Whether the node announces its private and loopback addresses now (`network.announcePrivate`). */
  announcingPrivate: boolean
  /** `client` while the node is reachable only through relays: it queries the DHT but does not serve it. */
  dhtMode: 'client' | 'server'
  /**
   * Public TCP addresses at least two peers observed for the node (with `network.reusePort`):
   * behind a NAT, its public address and the port it mapped. DCUtR sends them for hole
   * punching; they are never announced.
   */
  observedAddrs: string[]
}

/** True when the address goes through a relay (`.../p2p-circuit/...`). */
export function isRelayedAddress (ma: Multiaddr | string): boolean {
  return (typeof ma === 'string' ? ma : ma.toString()).includes('/p2p-circuit')
}

/** True when the connection is relayed (its remote address is a circuit address). */
export function isRelayedConnection (connection: Pick<Connection, 'remoteAddr'>): boolean {
  return isRelayedAddress(connection.remoteAddr)
}

/** A loopback, private or link-local address; a relayed address is judged by its relay's address. */
export function isPrivateAddress (ma: Multiaddr): boolean {
  return isPrivate(ma)
}

/** An address others on the internet could use: a public IP (direct), or a relay with a public IP. DNS names count as public. */
function isUsableEverywhere (ma: Multiaddr): boolean {
  const first = ma.getComponents()[0]
  if (first == null) return false
  if (first.name === 'dns' || first.name === 'dns4' || first.name === 'dns6' || first.name === 'dnsaddr') return true
  if (first.name !== 'ip4' && first.name !== 'ip6') return false
  return !isPrivate(ma)
}

/**
 * Shared by the announce filter and the DHT's peer info mapper: whether the node drops
 * private addresses, decided each time libp2p asks for the node's addresses.
 */
export class AddressHygiene {
  private dropping = false

  constructor (private readonly setting: NodeConfig['network']['announcePrivate']) {}

  /** Drops private and loopback addresses when the setting says so: `false` always, `auto` once the node has an address usable from anywhere (direct or through a relay). */
  readonly announceFilter = (addrs: Multiaddr[]): Multiaddr[] => {
    if (this.setting === true) {
      this.dropping = false
      return addrs
    }
    this.dropping = this.setting === false || addrs.some(isUsableEverywhere)
    return this.dropping ? addrs.filter(ma => !isPrivate(ma)) : addrs
  }

  /** What the DHT stores and hands out of other peers' addresses: without private ones while this node drops its own. */
  readonly peerInfoMapper = (info: PeerInfo): PeerInfo => this.dropping ? removePrivateAddressesMapper(info) : info

  /** Whether private addresses are dropped now. */
  get droppingPrivate (): boolean {
    return this.dropping
  }
}

/** Public IP addresses of this host's interfaces. */
function hasPublicInterface (): boolean {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.internal) continue
      try {
        if (!isPrivate(multiaddr(`/${i.family === 'IPv6' ? 'ip6' : 'ip4'}/${i.address.split('%')[0] ?? ''}/tcp/1`))) return true
      } catch { /* an address multiaddr cannot hold */ }
    }
  }
  return false
}

/**
 * Whether the node reserves slots on relays (listens on `/p2p-circuit`): `network.relay.reserve`,
 * or with `auto`, when it offers no relay itself, does not listen only on loopback (a local
 * cluster), announces no public address and has no public interface address.
 */
export function wantsReservations (network: NodeConfig['network']): boolean {
  const { reserve, serve } = network.relay
  if (reserve !== 'auto') return reserve
  if (serve) return false
  const listen = network.listen.map(a => multiaddr(a))
  if (listen.every(ma => { const h = ma.getComponents()[0]?.value ?? ''; return h.startsWith('127.') || h === '::1' || h === 'localhost' })) return false
  if (network.announce.some(a => isUsableEverywhere(multiaddr(a)))) return false
  return !hasPublicInterface()
}

/** The listen addresses: the configured ones, and `/p2p-circuit` (one reservation) when the node reserves relay slots. */
export function reachListen (network: NodeConfig['network']): string[] {
  return wantsReservations(network) && !network.listen.some(isRelayedAddress) ? [...network.listen, '/p2p-circuit'] : network.listen
}

/** The relay transport: dials through relays, and reserves slots on them when the node listens on `/p2p-circuit`. */
export function relayTransport () {
  return circuitRelayTransport({ reservationConcurrency: 1 })
}

/** The UPnP / NAT-PMP service, when `network.upnp` asks for it: its module (and its XML and SSDP parsers) is imported only then. */
export type UPnPService = (components: UPnPNATComponents) => UPnPNAT

/**
 * The UPnP service `network.upnp` asks for, or undefined.
 *
 * @example
 * ```ts
 * const upnp = await upnpService(config.network)   // undefined unless --upnp
 * ```
 */
export async function upnpService (network: NodeConfig['network']): Promise<UPnPService | undefined> {
  if (!network.upnp) return undefined
  const { uPnPNAT } = await import('@libp2p/upnp-nat')
  return uPnPNAT()
}

/** The services of reach: AutoNAT, DCUtR (with the observed addresses, when given), the relay service when offered, UPnP when asked for (see upnpService). */
export function reachServices (network: NodeConfig['network'], observed: ObservedAddresses | undefined, upnp: UPnPService | undefined) {
  const { relay } = network
  return {
    // learns whether the node's public addresses can be dialled from outside
    autoNAT: autoNAT(),
    // upgrades a relayed connection to a direct one where the NATs allow; with port reuse, hole punching with observed addresses
    dcutr: holePunching(observed),
    ...(relay.serve
      ? {
          relay: circuitRelayServer({
            reservations: {
              maxReservations: relay.maxReservations,
              reservationTtl: relay.reservationTtlMs,
              applyDefaultLimit: true,
              defaultDurationLimit: relay.maxDurationMs,
              defaultDataLimit: BigInt(relay.maxDataBytes)
            }
          })
        }
      : {}),
    ...(upnp == null ? {} : { upnp })
  }
}

/** Relay peer ids out of the node's relayed addresses (`/.../p2p/<relay>/p2p-circuit/p2p/<self>`). */
export function relaysOf (addrs: Multiaddr[]): string[] {
  const relays = new Set<string>()
  for (const ma of addrs) {
    if (!isRelayedAddress(ma)) continue
    const parts = ma.toString().split('/p2p-circuit')[0]?.split('/p2p/') ?? []
    const relay = parts.at(-1)
    if (relay != null && parts.length > 1) relays.add(relay)
  }
  return [...relays].sort()
}

/**
 * The node's reachability from its verified addresses: `public` with a public direct one,
 * `private` when it holds relay reservations or has only private addresses, `unknown`
 * while a public address waits for AutoNAT to confirm it.
 */
function reachStatus (addrs: Multiaddr[], candidates: Multiaddr[], relay: CircuitRelayService | undefined, hygiene: AddressHygiene): Omit<ReachStatus, 'dhtMode' | 'observedAddrs'> {
  const held = relaysOf(addrs)
  const direct = addrs.filter(ma => !isRelayedAddress(ma))
  let reachability: Reachability
  if (direct.some(isUsableEverywhere)) reachability = 'public'
  else if (held.length > 0 || !candidates.filter(ma => !isRelayedAddress(ma)).some(isUsableEverywhere)) reachability = 'private'
  else reachability = 'unknown'
  return {
    reachability,
    relayReservations: { held, served: relay?.reservations.size ?? 0 },
    relayServing: relay != null,
    announcingPrivate: !hygiene.droppingPrivate
  }
}

/** What the reach service needs of the DHT: its mode. */
export interface DhtMode {
  getMode: () => 'client' | 'server'
  setMode: (mode: 'client' | 'server') => Promise<void>
}

export interface ReachComponents {
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
}

/**
 * A libp2p service that sees the node's addresses as the address manager holds them,
 * verified or not, and keeps the DHT in client mode while the node is reachable only
 * through relays (its peers would otherwise dial it through the relay for every query).
 */
export class ReachService {
  private dht?: DhtMode

  constructor (private readonly components: ReachComponents, readonly hygiene: AddressHygiene, private readonly observed?: ObservedAddresses) {}

  readonly [Symbol.toStringTag] = '@oa-node/reach'

  /** The DHT whose mode follows the node's reachability. */
  useDht (dht: DhtMode): void {
    this.dht = dht
  }

  start (): void {
    this.components.events.addEventListener('self:peer:update', this.onSelfUpdate)
  }

  stop (): void {
    this.components.events.removeEventListener('self:peer:update', this.onSelfUpdate)
  }

  private readonly onSelfUpdate = (): void => {
    const dht = this.dht
    if (dht == null) return
    const addrs = this.components.addressManager.getAddresses()
    const relayedOnly = addrs.some(isRelayedAddress) && !addrs.some(ma => !isRelayedAddress(ma) && isUsableEverywhere(ma))
    const mode = relayedOnly ? 'client' : 'server'
    if (dht.getMode() !== mode) dht.setMode(mode).catch(() => undefined)
  }

  /** Reachability and relay reservations; `relay` is the node's relay service when it offers one. */
  status (relay: CircuitRelayService | undefined): ReachStatus {
    const all = this.components.addressManager.getAddressesWithMetadata()
    return {
      ...reachStatus(this.components.addressManager.getAddresses(), all.map(a => a.multiaddr), relay, this.hygiene),
      dhtMode: this.dht?.getMode() ?? 'server',
      observedAddrs: this.observed?.candidates().map(String) ?? []
    }
  }
}

/** The reach service factory, for `services.reach`; `observed` are the addresses peers observe for the node, when it collects them. */
export function reachService (hygiene: AddressHygiene, observed?: ObservedAddresses): (components: ReachComponents) => ReachService {
  return components => new ReachService(components, hygiene, observed)
}
