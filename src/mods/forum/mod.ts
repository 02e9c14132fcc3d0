import { join } from 'node:path'
import { defineMod } from '../contract.js'
import { checkOperationFile } from '../oplog/check.js'
import { forumCommands } from './cli.js'
import { FORUM_EVENTS, FORUM_PROTOCOL, FORUM_TYPES } from './events.js'
import { forumFacade } from './facade.js'
import { forumRoutes } from './routes.js'
import { ForumService } from './service.js'
import type { ForumFacade } from './facade.js'
import type { ForumComponents } from './service.js'

/**
 * The forum mod (built in): topics with markdown bodies and tags, comments nested up to
 * 5 levels, votes, edits and deletes by their authors, each a signed event on the
 * community's `forum` channel, kept whole in `forum.db` and caught up over
 * `/oa/forum/1.0.0`; topics are also memory records of kind `forum_post`, which
 * `search` finds by meaning. See docs/mods.md#forum.
 */
export const forumMod = defineMod<ForumService, Record<string, never>, ForumFacade>({
  name: 'forum',
  description: 'a forum in each community: topics, nested comments, votes, search by meaning',
  needs: ['communities', 'channels'],
  events: FORUM_EVENTS,
  topics: ['oa/1/<community>/ch/forum (the channels mod\'s topic of the forum channel; derived name in private communities)'],
  protocols: [FORUM_PROTOCOL],
  service: {
    create: ({ node, events, limits, penalties }) => (components: ForumComponents) => new ForumService(components, {
      dataDir: node.dataDir,
      events,
      limits,
      penalties,
      maxMessageBytes: node.channels.maxMessageBytes,
      maxClockSkewMs: node.channels.maxClockSkewMs
    }),
    dependencies: ['@libp2p/pubsub']
  },
  routes: forumRoutes,
  agent: (service, agent) => forumFacade(service, agent),
  status: (service) => service.status(),
  cli: forumCommands,
  files: ['forum.db'],
  check: async ({ dataDir }) => ({ forum: await checkOperationFile(join(dataDir, 'forum.db'), FORUM_TYPES) })
})
