import { communityRoutes } from '../api/routes/communities.js'
import { defineMod } from '../mods/contract.js'
import { checkCommunityFiles } from './check.js'
import { COMMUNITY_PROTOCOL } from './control-protocol.js'
import { checkMemberships } from './memberships.js'
import { Communities } from './service.js'
import type { Channels } from '../channels/channels.js'
import type { CommunitiesComponents } from './service.js'

/** The communities mod: the trust layer (genesis, credentials, removals, key grants, invites) that every other mod asks through CommunityAccess. */
export const communitiesMod = defineMod<Communities>({
  name: 'communities',
  description: 'the trust layer: community genesis, members and roles, invites, epoch keys of private communities',
  topics: ['oa/1/<wire name>/ctl'],
  protocols: [COMMUNITY_PROTOCOL],
  service: {
    create: ({ node, penalties, limits }) => (components: CommunitiesComponents) => new Communities(components, { dataDir: node.dataDir, penalties, limits, named: node.communities }),
    capabilities: ['@oa-node/community-access'],
    dependencies: ['@libp2p/pubsub']
  },
  routes: (router, { node }) => { communityRoutes(router, node) },
  // the joined communities are the channels mod's; this mod reports what it holds
  statusFields: (service) => ({ trust: { communities: service.list(), rejected: service.rejected() } }),
  status: (_service, peers) => (peers.service('channels') as Channels | undefined)?.communities() ?? [],
  files: ['communities/', 'memberships.json'],
  check: async ({ dataDir, privateKey }) => ({
    communities: await checkCommunityFiles(dataDir, privateKey),
    memberships: await checkMemberships(dataDir)
  })
})
