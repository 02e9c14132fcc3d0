import { channelTopic } from '../../wire/topics.js'
import type { OaNode } from '../../node/oa-node.js'
import type { Router } from '../router.js'
import type { Connection, PeerId } from '@libp2p/interface'

/** One connected peer, as `GET /v1/network` lists it. */
export interface NetworkPeerJson {
  peerId: string
  /** Remote address of the connection shown (the oldest direct one, else the oldest). */
  address: string
  /** Remote addresses of every open connection to the peer. */
  addresses: string[]
  direction: 'inbound' | 'outbound'
  /** Reached through a relay (`/p2p-circuit` in the address). */
  relayed: boolean
  /** Round trip in milliseconds: the connection monitor's, else a ping made for this answer; null when neither answered. */
  latencyMs: number | null
  /** Milliseconds since the connection shown was opened. */
  connectedForMs: number
}

/** What this node knows of the peers of one joined community. */
export interface NetworkCommunityJson {
  name: string
  policy: 'open' | 'private'
  peers: Array<{
    peerId: string
    /** A member by the community's credentials (communities with a genesis). */
    member: boolean
    role?: string
    connected: boolean
    /** Subscribed, as this node sees it, to one of the community's channels. */
    subscribed: boolean
  }>
}

/** How this node can be reached, as far as it knows. */
export type Reachability = 'public' | 'private' | 'unknown'

/** What `GET /v1/network` answers. */
export interface NetworkAnswer {
  peerId: string
  /** As `GET /v1/status` reports it under `reach`: `public` with a verified public address, `private` behind NAT (relay reservations held), else `unknown`. */
  reachability: Reachability
  /** Relays this node holds reservations on, and reservations it serves. */
  relayReservations: { held: string[], served: number }
  /** The node's own addresses, with whether each was verified reachable by other peers. */
  addresses: Array<{ multiaddr: string, verified: boolean, type?: string }>
  dht: { mode: 'client' | 'server', routingTableSize: number | null }
  peers: NetworkPeerJson[]
  communities: NetworkCommunityJson[]
}

interface NodeAddressLike { multiaddr: { toString: () => string }, verified: boolean, type?: string }

const PING_TIMEOUT_MS = 1_500

/** The node's addresses with metadata, from libp2p's address manager when it can be reached. */
function ownAddresses (node: OaNode): NetworkAnswer['addresses'] {
  const components = (node.libp2p as unknown as { components?: { addressManager?: { getAddressesWithMetadata?: () => NodeAddressLike[] } } }).components
  const withMetadata = components?.addressManager?.getAddressesWithMetadata?.()
  if (withMetadata == null) return node.libp2p.getMultiaddrs().map(ma => ({ multiaddr: ma.toString(), verified: false }))
  return withMetadata.map(a => ({ multiaddr: a.multiaddr.toString(), verified: a.verified, ...(a.type == null ? {} : { type: a.type }) }))
}

function routingTableSize (node: OaNode): number | null {
  const dht = node.libp2p.services.dht as unknown as { routingTable?: { size?: unknown } }
  const size = dht.routingTable?.size
  return typeof size === 'number' ? size : null
}

async function latencyOf (node: OaNode, peer: PeerId, connections: Connection[], signal: AbortSignal): Promise<number | null> {
  const measured = connections.map(c => c.rtt).filter((rtt): rtt is number => typeof rtt === 'number' && Number.isFinite(rtt))
  if (measured.length > 0) return Math.round(Math.min(...measured) * 10) / 10
  try {
    return await node.libp2p.services.ping.ping(peer, { signal: AbortSignal.any([signal, AbortSignal.timeout(PING_TIMEOUT_MS)]) })
  } catch {
    return null
  }
}

async function connectedPeers (node: OaNode, signal: AbortSignal): Promise<NetworkPeerJson[]> {
  const now = Date.now()
  const byPeer = new Map<string, { id: PeerId, connections: Connection[] }>()
  for (const conn of node.libp2p.getConnections()) {
    const key = conn.remotePeer.toString()
    const entry = byPeer.get(key) ?? { id: conn.remotePeer, connections: [] }
    entry.connections.push(conn)
    byPeer.set(key, entry)
  }
  const peers = await Promise.all([...byPeer.entries()].map(async ([key, { id, connections }]) => {
    const ordered = [...connections].sort((a, b) => a.timeline.open - b.timeline.open)
    const shown = ordered.find(c => !c.remoteAddr.toString().includes('/p2p-circuit')) ?? ordered[0]
    const address = shown?.remoteAddr.toString() ?? ''
    return {
      peerId: key,
      address,
      addresses: ordered.map(c => c.remoteAddr.toString()),
      direction: shown?.direction ?? 'outbound',
      relayed: address.includes('/p2p-circuit'),
      latencyMs: await latencyOf(node, id, connections, signal),
      connectedForMs: shown == null ? 0 : now - shown.timeline.open
    } satisfies NetworkPeerJson
  }))
  return peers.sort((a, b) => a.peerId.localeCompare(b.peerId))
}

function communityPeers (node: OaNode, community: string, connected: Set<string>): NetworkCommunityJson {
  const { channels, communities, pubsub } = node.libp2p.services
  const self = node.peerId.toString()
  const policy = communities.isPrivate(community) ? 'private' : 'open'
  const peers = new Map<string, NetworkCommunityJson['peers'][number]>()
  const entry = (peerId: string): NetworkCommunityJson['peers'][number] => {
    const found = peers.get(peerId) ?? { peerId, member: false, connected: connected.has(peerId), subscribed: false }
    peers.set(peerId, found)
    return found
  }
  let members: Array<{ peerId: string, role: string }> = []
  try {
    members = communities.members(community)
  } catch {
    // an open community without a genesis has no member list
  }
  for (const m of members) {
    if (m.peerId === self) continue
    const e = entry(m.peerId)
    e.member = true
    e.role = m.role
  }
  const wire = communities.wireName(community)
  for (const channel of channels.channels(community)) {
    for (const peer of pubsub.getSubscribers(channelTopic(wire, channel))) {
      const id = peer.toString()
      if (id !== self) entry(id).subscribed = true
    }
  }
  return { name: community, policy, peers: [...peers.values()].sort((a, b) => a.peerId.localeCompare(b.peerId)) }
}

/**
 * `GET /v1/network`: the node's connections (address, direction, relayed, latency),
 * the peers it knows in each joined community (members and subscribers of its
 * channels), the DHT routing table size and the node's reachability as far as known.
 */
export function networkRoutes (router: Router, node: OaNode): Router {
  return router.get('/v1/network', async ({ signal }) => {
    const peers = await connectedPeers(node, signal)
    const connected = new Set(peers.map(p => p.peerId))
    const addresses = ownAddresses(node)
    const answer: NetworkAnswer = {
      peerId: node.peerId.toString(),
      // the reach service's answer, as `status` reports it (relay reservations, AutoNAT)
      reachability: node.status().reach.reachability,
      relayReservations: node.status().reach.relayReservations,
      addresses,
      dht: { mode: node.libp2p.services.dht.getMode(), routingTableSize: routingTableSize(node) },
      peers,
      communities: node.communities.map(c => communityPeers(node, c, connected))
    }
    return answer
  })
}
