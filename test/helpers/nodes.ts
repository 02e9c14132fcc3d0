import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.js'
import { createNode } from '../../src/node/create-node.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { CreateNodeOptions } from '../../src/node/create-node.js'

/**
 * Starts an in-process node on loopback with its own data dir under `root`. Its memory
 * embeds with OA_EMBEDDER (vitest.config.ts sets lexical unless the environment names
 * another), unless `layer.memory.embedder` says otherwise.
 */
export async function startTestNode (root: string, name: string, layer: ConfigLayer = {}, options: CreateNodeOptions = {}): Promise<OaNode> {
  const config = await loadConfig({
    env: process.env.OA_EMBEDDER == null ? {} : { OA_EMBEDDER: process.env.OA_EMBEDDER },
    flags: {
      dataDir: join(root, name),
      ...layer,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], ...layer.network },
      api: { ...layer.api, port: 0 }
    }
  })
  const node = await createNode(config, options)
  await node.start()
  return node
}

/** The node's TCP multiaddr, for use as a bootstrap address. */
export function tcpAddr (node: OaNode): string {
  const addr = node.multiaddrs().find(ma => ma.includes('/tcp/') && !ma.includes('/ws'))
  if (addr == null) throw new Error('node has no TCP address')
  return addr
}
