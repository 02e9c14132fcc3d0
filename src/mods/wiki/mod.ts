import { join } from 'node:path'
import { defineMod } from '../contract.js'
import { checkOperationFile } from '../oplog/check.js'
import { wikiCommands } from './cli.js'
import { WIKI_EVENTS, WIKI_PROTOCOL, WIKI_TYPES } from './events.js'
import { wikiFacade } from './facade.js'
import { wikiRoutes } from './routes.js'
import { WikiService } from './service.js'
import type { WikiFacade } from './facade.js'
import type { WikiComponents } from './service.js'

/**
 * The wiki mod (built in): pages with a signed revision history, owners, protection and
 * proposals, on each community's `wiki` channel; see docs/mods.md#wiki.
 */
export const wikiMod = defineMod<WikiService, Record<string, never>, WikiFacade>({
  name: 'wiki',
  description: 'wiki pages with a signed revision history: owners edit, others propose, concurrent edits converge',
  needs: ['communities', 'channels'],
  events: WIKI_EVENTS,
  topics: ['oa/1/<community>/ch/wiki (the channels mod\'s topic of the wiki channel)'],
  protocols: [WIKI_PROTOCOL],
  service: {
    create: ({ node, events, limits, penalties }) => (components: WikiComponents) => new WikiService(components, {
      dataDir: node.dataDir,
      events,
      limits,
      penalties,
      maxMessageBytes: node.channels.maxMessageBytes,
      maxClockSkewMs: node.channels.maxClockSkewMs,
      maxRecordBytes: node.memory.maxTextBytes
    }),
    dependencies: ['@libp2p/pubsub']
  },
  routes: wikiRoutes,
  agent: (service, agent) => wikiFacade(service, agent),
  status: (service) => service.status(),
  cli: wikiCommands,
  files: ['wiki.db'],
  check: async ({ dataDir }) => ({ wiki: await checkOperationFile(join(dataDir, 'wiki.db'), WIKI_TYPES) })
})
