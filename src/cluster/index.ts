/**
 * Local multi-node clusters of real `oa-node` processes, for development, demos and
 * end-to-end tests.
 *
 * @example
 * ```ts
 * import { launchCluster } from 'oa-node'
 * const cluster = await launchCluster({ nodes: 5 })
 * await cluster.stop()
 * ```
 */
export { launchCluster, ClusterStartError } from './launcher.js'
export type { Cluster, ClusterInit, ClusterNode } from './launcher.js'
