import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { ApiClient } from '../../api/client.js'
import { nodeMcpServer } from './server.js'

/**
 * `oa-node mcp`: an MCP server over stdio for the running node of a data dir (Claude
 * Desktop, Claude Code, any MCP client starts it as a command). Only MCP frames go to
 * stdout; resolves when the client closes stdin.
 *
 * @example
 * ```ts
 * await runMcpStdio('./n1')
 * ```
 */
export async function runMcpStdio (dataDir: string): Promise<void> {
  const server = nodeMcpServer(await ApiClient.fromDataDir(dataDir))
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((resolve) => { transport.onclose = () => { resolve() } })
  await server.connect(transport)
  process.stdin.once('end', () => { void server.close() })
  await closed
}
