/**
 * Memory replication between the nodes of a community: gossip of signed records and
 * catch-up by version vectors over `/oa/memsync/1.0.0`.
 *
 * @example
 * ```ts
 * const { rejected, received } = node.libp2p.services.replication.stats()
 * ```
 */
import { memoryTopic, MEMSYNC_PROTOCOL, Replicator } from './replicator.js'
import type { ReplicationComponents, ReplicationInit } from './replicator.js'

export { Replicator, MEMSYNC_PROTOCOL, memoryTopic }
export type { ReplicationComponents, ReplicationInit, ReplicationStats, ReplicationRejectReason, ReplicationEvents } from './replicator.js'
export { VersionVector } from './version-vector.js'
export { checkRemoteRecord } from './validate.js'

export function replication (init: ReplicationInit): (components: ReplicationComponents) => Replicator {
  return (components) => new Replicator(components, init)
}
