import { join } from 'node:path'
import { memoryRoutes } from '../api/routes/memory.js'
import { defineMod } from '../mods/contract.js'
import { memorySection, MEMORY_DEFAULTS } from './config.js'
import { MemoryInputError } from './errors.js'
import { toMemoryHit } from './hit.js'
import { Memory } from './service.js'
import { checkMemoryStores } from './stores/check-stores.js'
import type { MemoryFacade } from '../agents/facades.js'
import type { Embedder } from './embedders/types.js'
import type { MemoryComponents, MemorySettings } from './service.js'
import type { MemoryStore } from './types.js'
import type { StoreAdapter } from './stores/adapter.js'

/** The memory mod: the node's store and embedder, remember, recall and forget. */
export const memoryMod = defineMod<Memory, MemorySettings, MemoryFacade>({
  name: 'memory',
  description: 'shared semantic memory of the joined communities: remember, recall (vector, BM25, hybrid), forget',
  needs: ['communities', 'channels'],
  config: { schema: memorySection, defaults: MEMORY_DEFAULTS, section: 'memory' },
  service: {
    create: ({ config, node, options }) => {
      const openStore = options.openMemoryStore as ((embedder: Embedder) => Promise<MemoryStore>) | undefined
      const storeAdapter = options.memoryStoreAdapter as StoreAdapter | undefined
      const embedder = options.memoryEmbedder as Embedder | undefined
      return (components: MemoryComponents) => new Memory(components, {
        dataDir: node.dataDir,
        communities: node.communities,
        settings: config,
        llm: node.llm,
        ...(openStore == null ? {} : { openStore }),
        ...(storeAdapter == null ? {} : { storeAdapter }),
        ...(embedder == null ? {} : { embedder })
      })
    }
  },
  routes: (router, { node }) => { memoryRoutes(router, node) },
  agent: (memory, agent) => ({
    get enabled () { return memory.enabled },
    remember: async (record) => memory.remember(agent.community, { ...record, agent: agent.id }),
    recall: async (query, options = {}) => (await memory.recall(agent.community, query, options)).map(toMemoryHit),
    forget: async (id) => {
      const self = agent.id.slice(agent.id.lastIndexOf('@') + 1)
      const held = (await memory.get(agent.community, [id], { origin: self })).find(r => r.deleted !== true)
      if (held == null) throw new MemoryInputError('not_found', `no record ${id} of this node in ${agent.community}`)
      if (held.agent !== agent.id) throw new MemoryInputError('not_owner', `record ${id} in ${agent.community} was written by ${held.agent}, not by ${agent.id}`)
      await memory.delete(agent.community, id, { origin: self })
    },
    similarity: async (a, b) => memory.similarity(a, b),
    embed: async (texts) => memory.embed(texts),
    get embedder () { return memory.embedderName }
  }),
  statusFields: (memory) => ({ endpoints: memory.endpoints() }),
  files: ['memory/'],
  check: async ({ dataDir }) => checkMemoryStores(join(dataDir, 'memory'))
})
