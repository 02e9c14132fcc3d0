import { defineMod } from '../../mods/contract.js'
import { MEMSYNC_PROTOCOL, Replicator } from './replicator.js'
import type { ReplicationComponents } from './replicator.js'

/** The replication mod: memory records gossiped to the community and caught up by version vectors. */
export const replicationMod = defineMod<Replicator>({
  name: 'replication',
  description: 'replicates memory records between the nodes of a community: gossip of signed records, catch-up by version vectors',
  needs: ['communities', 'channels', 'memory'],
  topics: ['oa/1/<community>/mem'],
  protocols: [MEMSYNC_PROTOCOL],
  service: {
    create: ({ node, penalties, limits }) => (components: ReplicationComponents) => new Replicator(components, { syncIntervalMs: node.memory.syncIntervalMs, penalties, limits }),
    dependencies: ['@libp2p/pubsub']
  },
  status: (replication) => replication.stats()
})
