import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * A connection gater that refuses connections between two groups of nodes while `split`
 * is on: a network partition on loopback, healed by turning it off and dialling again.
 *
 * @example
 * ```ts
 * const net = partition()
 * let self = ''
 * const node = await startTestNode(dir, 'n1', layer, { connectionGater: net.gater(() => self) })
 * self = node.peerId.toString()
 * net.groupOf.set(self, 0); net.set(true)
 * ```
 */
export function partition (): { groupOf: Map<string, number>, gater: (self: () => string) => ConnectionGater, set: (on: boolean) => void } {
  const groupOf = new Map<string, number>()
  let split = false
  const apart = (a: string, b: string): boolean => split && groupOf.has(a) && groupOf.has(b) && groupOf.get(a) !== groupOf.get(b)
  const gater = (self: () => string): ConnectionGater => ({
    denyDialPeer: (peer: PeerId) => apart(self(), peer.toString()),
    denyInboundEncryptedConnection: (peer: PeerId) => apart(self(), peer.toString()),
    denyOutboundEncryptedConnection: (peer: PeerId) => apart(self(), peer.toString()),
    denyDialMultiaddr: (_ma: Multiaddr) => false
  })
  return { groupOf, gater, set: (on: boolean) => { split = on } }
}
