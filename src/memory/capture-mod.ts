import { defineMod } from '../mods/contract.js'
import { MemoryCapture } from './capture-service.js'
import type { MemoryCaptureComponents } from './capture-service.js'

/** The capture mod: records the node's channel posts and direct exchanges in memory, as kinds of their own. */
export const captureMod = defineMod<MemoryCapture>({
  name: 'capture',
  description: 'records channel posts written on this node and the direct exchanges it started into memory (channel_message, direct_exchange)',
  needs: ['channels', 'memory'],
  service: {
    create: ({ node }) => (components: MemoryCaptureComponents) => new MemoryCapture(components, { settings: node.memory })
  },
  status: (capture) => capture.status() ?? null
})
