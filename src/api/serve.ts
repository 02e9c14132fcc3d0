import { loadOrCreateToken, removeApiInfo, writeApiInfo } from './files.js'
import { ApiServer } from './server.js'
import { VERSION } from '../version.js'
import type { Logger } from '../log/index.js'
import type { OaNode } from '../node/oa-node.js'
import type { ApiTimeouts } from './timeouts.js'

export interface ServedApi {
  url: string
  token: string
  stop(): Promise<void>
}

/**
 * Starts the control API for a node and publishes it in the data dir
 * (`api.json` with url and pid, `api.token` mode 0600), so the CLI can find it.
 *
 * @example
 * ```ts
 * const api = await serveApi(node, { port: 0 })
 * console.log(api.url)
 * await api.stop()   // also removes api.json
 * ```
 */
export async function serveApi (node: OaNode, options: { port: number, logger?: Logger, timeouts?: Partial<ApiTimeouts>, studioDir?: string }): Promise<ServedApi> {
  const dataDir = node.config.dataDir
  const token = await loadOrCreateToken(dataDir)
  const server = new ApiServer({ node, token, port: options.port, logger: options.logger, timeouts: options.timeouts, studioDir: options.studioDir })
  const url = await server.start()
  await writeApiInfo(dataDir, { url, pid: process.pid, peerId: node.peerId.toString(), version: VERSION })
  return {
    url,
    token,
    stop: async () => {
      await removeApiInfo(dataDir)
      await server.stop()
    }
  }
}
