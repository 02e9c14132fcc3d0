import type { PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/**
 * Opens a stream of `protocol` to `peer`, on a relayed (limited) connection too. libp2p's
 * `openStream` never reuses a limited connection: with only relayed connections to the
 * peer, it would dial it through the relay again for every stream. So an open connection
 * is used when there is one (a direct one first), and the peer is dialled only when
 * there is none.
 *
 * @example
 * ```ts
 * const stream = await openPeerStream(components.connectionManager, peer, '/oa/direct/1.0.0', { signal })
 * ```
 */
export async function openPeerStream (connectionManager: ConnectionManager, peer: PeerId, protocol: string, options: { signal?: AbortSignal } = {}): Promise<Stream> {
  const open = connectionManager.getConnections(peer).filter(c => c.status === 'open')
  if (open.length > 0 && open.every(c => c.limits != null)) {
    const connection = open.find(c => c.direct) ?? open[0]
    if (connection != null) return connection.newStream(protocol, { ...options, runOnLimitedConnection: true })
  }
  return connectionManager.openStream(peer, protocol, { ...options, runOnLimitedConnection: true })
}
