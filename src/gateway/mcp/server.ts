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
export function nodeMcpServer (api: NodeApi, onRefused?: (reason: McpRefusal) => void): McpServer {
  const server = new McpServer({ name: 'oa-node', version: VERSION }, {
    instructions: 'Tools of an oa-node peer-to-peer node: post to and read community channels, search and add shared memory by meaning, find agents by capability and ask them, read and edit the wiki, and use the forum. Every tool names its community.'
  })
  registerNodeTools(server, api)
  registerNodeResources(server, api)
  if (onRefused != null) countRefusals(server, onRefused)
  return server
}

/** Why the MCP layer refused a tool call before any API route ran. */
export type McpRefusal = 'mcp_bad_arguments' | 'mcp_unknown_tool'

/** The SDK's messages for a call it refuses itself (the API's own refusals are counted by the API). */
const SDK_REFUSALS: Array<[RegExp, McpRefusal]> = [
  [/^(MCP error -?\d+: )?(Input validation error|Invalid arguments for tool)/, 'mcp_bad_arguments'],
  [/^(MCP error -?\d+: )?Tool \S+ (not found|disabled)/, 'mcp_unknown_tool']
]

type CallHandler = (request: unknown, extra: unknown) => Promise<{ isError?: boolean, content?: Array<{ type: string, text?: string }> }>

/**
 * Counts the tool calls the SDK refuses before a tool runs (arguments that do not match
 * the tool's schema, a tool that does not exist): the SDK answers them as tool errors
 * in its own handler, so the handler's answer is read on the way out.
 */
function countRefusals (server: McpServer, onRefused: (reason: McpRefusal) => void): void {
  // the SDK keeps its request handlers in a map its types do not show; a release that
  // changes that leaves calls answered and uncounted, which the MCP test notices
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, CallHandler> })._requestHandlers
  const call = handlers?.get('tools/call')
  if (handlers == null || call == null) return
  handlers.set('tools/call', async (request, extra) => {
    const result = await call(request, extra)
    const text = result.isError === true ? result.content?.find(c => c.type === 'text')?.text ?? '' : ''
    const refusal = SDK_REFUSALS.find(([pattern]) => pattern.test(text))
    if (refusal != null) onRefused(refusal[1])
    return result
  })
}
