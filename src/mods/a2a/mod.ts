import { join } from 'node:path'
import { defineMod } from '../contract.js'
import { a2aCommands } from './cli.js'
import { a2aSection, A2A_DEFAULTS } from './config.js'
import { a2aRoutes } from './routes.js'
import { A2AService } from './service.js'
import { A2A_DB_FILE } from './files.js'
import { A2A_TOKEN_FILE } from './token.js'
import type { A2AConfig } from './config.js'
import type { A2AComponents } from './service.js'

/**
 * The A2A mod (its SDK and HTTP server are imported only when the gateway is used: with
 * `a2a.port`, an `a2a.db` or an added agent): the node's agents as A2A 1.0 servers (with `a2a.port`), and external A2A
 * agents hosted as agents of its communities (`a2a.remote`, `oa-node a2a add`).
 */
export const a2aMod = defineMod<A2AService, A2AConfig>({
  name: 'a2a',
  description: 'A2A 1.0 gateway: the node\'s agents as A2A servers, and external A2A agents hosted in its communities',
  needs: ['communities', 'channels', 'agents'],
  config: { schema: a2aSection, defaults: A2A_DEFAULTS, section: 'a2a' },
  service: {
    create: ({ config, node }) => (components: A2AComponents) => new A2AService(components, { config, dataDir: node.dataDir })
  },
  routes: (router, ctx) => { a2aRoutes(router, ctx) },
  status: (service) => service.status(),
  cli: a2aCommands,
  files: [A2A_DB_FILE, A2A_TOKEN_FILE],
  check: async ({ dataDir }) => {
    const { checkA2AFile } = await import('./store.js')
    return { a2a: checkA2AFile(join(dataDir, A2A_DB_FILE)) }
  }
})
