import { join } from 'node:path'
import { defineMod } from '../contract.js'
import { checkExchangeFile } from './exchange-store.js'
import { socialCommands } from './cli.js'
import { SOCIAL_EVENTS } from './events.js'
import { socialFacade } from './facade.js'
import { socialRoutes } from './routes.js'
import { SocialService } from './service.js'
import { TRUST_DEFAULTS } from './trust.js'
import type { SocialFacade } from './facade.js'
import type { SocialComponents } from './service.js'

/** The social mod's file in the data dir: the direct exchanges the graph shows. */
export const SOCIAL_FILE = 'social.db'

/**
 * The social mod: a relationship graph per community folded from the interactions the
 * node sees (direct exchanges, replies, coordinator dispatches, forum votes,
 * endorsements), trust per agent and capability computed from it the same way on every
 * replica, and endorsements as signed events on the community's `social` channel.
 */
export const socialMod = defineMod<SocialService, Record<string, never>, SocialFacade>({
  name: 'social',
  description: 'relationship graph of each community, endorsements per capability, and trust that ranks experts',
  needs: ['communities', 'channels'],
  events: [...SOCIAL_EVENTS],
  topics: ['oa/1/<community>/ch/social (the channels mod\'s topic of the social channel)'],
  service: {
    create: ({ node }) => (components: SocialComponents) => new SocialService(components, { path: join(node.dataDir, SOCIAL_FILE), params: TRUST_DEFAULTS })
  },
  routes: (router, ctx) => { socialRoutes(router, ctx) },
  agent: (service, agent) => socialFacade(service, agent),
  status: (service) => service.status(),
  cli: socialCommands,
  files: [SOCIAL_FILE],
  check: async ({ dataDir }) => ({ social: await checkExchangeFile(join(dataDir, SOCIAL_FILE)) })
})
