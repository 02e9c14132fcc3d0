import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { VERSION } from '../../version.js'
import { registerNodeResources } from './resources.js'
import { registerNodeTools } from './tools.js'
import type { NodeApi } from './tools.js'

/**
 * An MCP server with the node's tools and resources, each calling the node's control API through `api`.
 *
 * @example
 * ```ts
 * const server = nodeMcpServer(await ApiClient.fromDataDir('./n1'))
 * await server.connect(new StdioServerTransport())
 * ```
 */
export function nodeMcpServer (api: NodeApi): McpServer {
  const server = new McpServer({ name: 'oa-node', version: VERSION }, {
    instructions: 'Tools of an oa-node peer-to-peer node: post to and read community channels, search and add shared memory by meaning, find agents by capability and ask them, read and edit the wiki, and use the forum. Every tool names its community.'
  })
  registerNodeTools(server, api)
  registerNodeResources(server, api)
  return server
}
