import { MeshKeeper } from './mesh-keeper.js'
import type { MeshKeeperComponents, MeshKeeperInit } from './mesh-keeper.js'

export { MeshKeeper }
export type { MeshKeeperComponents, MeshKeeperInit, MeshKeeperStatus } from './mesh-keeper.js'

/**
 * Keeps a node meshed, whether or not it joined a community: while it has at least one
 * connection and fewer than `minPeers` peers, it looks up the peers closest to its own id
 * in the DHT and dials those it is not connected to. It looks again soon after a peer is
 * identified or a connection closes, and otherwise backs off (1 s, doubling up to 60 s)
 * while the lookups find nobody new. So a node that joined through one bootstrap peer
 * also connects to the peers that one knows, and keeps them when the bootstrap peer stops.
 * With no connection at all it is idle: the bootstrap keeper dials the bootstrap peers.
 *
 * @example
 * ```ts
 * createLibp2p({ services: { dht: kadDHT(), meshKeeper: meshKeeper({ minPeers: 4 }) } })
 * console.log(node.services.meshKeeper.status()) // { rounds: 2, dialled: 3, running: false }
 * ```
 */
export function meshKeeper (init: MeshKeeperInit): (components: MeshKeeperComponents) => MeshKeeper {
  return (components) => new MeshKeeper(components, init)
}
