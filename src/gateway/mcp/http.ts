import type { McpRefusal } from './server.js'
import type { NodeApi } from './tools.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** The path of the MCP endpoint on the node's control API. */
export const MCP_PATH = '/mcp'

/**
 * MCP over Streamable HTTP at `/mcp` on the control API, stateless: each request gets a
 * server and a transport of its own, and its tools call the API as any client does. The
 * API has checked the token, the Host and the Origin before a request reaches it.
 *
 * @example
 * ```ts
 * const mcp = new McpHttpEndpoint(() => new ApiClient(info, token))
 * await mcp.handle(req, res)
 * ```
 */
export class McpHttpEndpoint {
  private readonly api: () => NodeApi
  private readonly onRefused?: (reason: McpRefusal) => void

  /** `onRefused` counts the calls the MCP layer refuses before the API sees them. */
  constructor (api: () => NodeApi, onRefused?: (reason: McpRefusal) => void) {
    this.api = api
    this.onRefused = onRefused
  }

  async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    // the MCP SDK (about 20 MiB of code) is loaded by the first MCP request, not by every node at start
    const [{ StreamableHTTPServerTransport }, { nodeMcpServer }] = await Promise.all([import('@modelcontextprotocol/sdk/server/streamableHttp.js'), import('./server.js')])
    const server = nodeMcpServer(this.api(), this.onRefused)
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    res.once('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    await transport.handleRequest(req, res)
  }
}
