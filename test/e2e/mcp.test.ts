import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, runProcess, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import type { NodeProcess } from '../helpers/cli.js'

const C = 'devsupport'
const ROOT = join(import.meta.dirname, '..', '..')
const INSPECTOR = join(ROOT, 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js')

/** The text of a tool's answer, parsed as the JSON it holds. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it expects
function json<T> (result: unknown): T {
  const content = (result as { content?: Array<{ type: string, text?: string }> }).content ?? []
  return JSON.parse(content[0]?.text ?? 'null') as T
}

/** The text of a resource read's first content. */
const textOf = (read: { contents: unknown[] }): string => String((read.contents[0] as { text?: unknown } | undefined)?.text)

describe('the node as an MCP server, through the official MCP client and the MCP inspector', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: NodeProcess
  let url = ''
  let token = ''
  const dataDir = (): string => join(dir.path, 'n1')

  beforeAll(async () => {
    dir = await tempDir()
    node = await startNodeProcess(['--community', C, '--data-dir', dataDir(), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
    url = (JSON.parse(await readFile(join(dataDir(), 'api.json'), 'utf8')) as { url: string }).url
    token = (await readFile(join(dataDir(), 'api.token'), 'utf8')).trim()
  })

  afterAll(async () => {
    await node.stop()
    await dir.cleanup()
  })

  it('over stdio: lists its tools with schemas, posts and reads a channel, adds and finds memory, and answers a refused call as a tool error', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--data-dir', dataDir()], stderr: 'pipe' }))
    try {
      const { tools } = await client.listTools()
      const names = tools.map(t => t.name)
      expect(names).toEqual(expect.arrayContaining(['channel_post', 'channel_read', 'memory_search', 'memory_add', 'agents_find', 'agent_ask', 'wiki_edit', 'forum_post', 'forum_vote', 'forum_search']))
      const post = tools.find(t => t.name === 'channel_post')
      expect(post?.inputSchema.required).toEqual(expect.arrayContaining(['community', 'text']))
      expect(post?.description).toContain('Post a message')

      const posted = json<{ message: { id: string } }>(await client.callTool({ name: 'channel_post', arguments: { community: C, text: 'hello over MCP' } }))
      const read = json<{ messages: Array<{ id: string, payload: { text: string } }> }>(await client.callTool({ name: 'channel_read', arguments: { community: C } }))
      expect(read.messages.find(m => m.id === posted.message.id)?.payload.text).toBe('hello over MCP')

      await client.callTool({ name: 'memory_add', arguments: { community: C, text: 'Raise ef above k for better HNSW recall in Milvus.' } })
      const found = json<{ hits: Array<{ text: string }> }>(await client.callTool({ name: 'memory_search', arguments: { community: C, query: 'how to improve HNSW recall' } }))
      expect(found.hits[0]?.text).toContain('Raise ef')

      const topic = json<{ topic: { id: string } }>(await client.callTool({ name: 'forum_post', arguments: { community: C, title: 'Which index for 10M vectors?' } }))
      const voted = json<{ score: number }>(await client.callTool({ name: 'forum_vote', arguments: { community: C, id: topic.topic.id, vote: 'up' } }))
      expect(voted.score).toBe(1)

      const refused = await client.callTool({ name: 'channel_post', arguments: { community: 'nowhere', text: 'x' } })
      expect(refused.isError).toBe(true)
      expect((refused.content as Array<{ text: string }>)[0]?.text).toContain('nowhere')
      const badArgs = await client.callTool({ name: 'forum_vote', arguments: { community: C, id: topic.topic.id, vote: 'sideways' } })
      expect(badArgs.isError).toBe(true)

      // resources: the channel, a wiki page (listed) and the forum topic, read through the same API
      await client.callTool({ name: 'wiki_edit', arguments: { community: C, slug: 'hnsw-tuning', body: '# HNSW tuning\n\nRaise ef above k.' } })
      const { resources } = await client.listResources()
      expect(resources.map(r => r.uri)).toEqual(expect.arrayContaining([`oa://${C}/channels/general`, `oa://${C}/wiki/hnsw-tuning`]))
      const page = await client.readResource({ uri: `oa://${C}/wiki/hnsw-tuning` })
      expect(page.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: '# HNSW tuning\n\nRaise ef above k.' })
      const general = await client.readResource({ uri: `oa://${C}/channels/general` })
      expect((JSON.parse(textOf(general)) as { messages: Array<{ id: string }> }).messages.map(m => m.id)).toContain(posted.message.id)
      const thread = await client.readResource({ uri: `oa://${C}/forum/${topic.topic.id}` })
      expect(JSON.parse(textOf(thread))).toMatchObject({ topic: { id: topic.topic.id, score: 1 } })
      await expect(client.readResource({ uri: `oa://${C}/wiki/no-such-page` })).rejects.toThrow(/no-such-page/)
      const added = json<{ record: { id: string } }>(await client.callTool({ name: 'memory_add', arguments: { community: C, text: 'Use IVF_FLAT when the index must fit in less memory than HNSW needs.' } }))
      const record = await client.readResource({ uri: `oa://${C}/memory/${added.record.id}` })
      expect(JSON.parse(textOf(record))).toMatchObject({ records: [{ id: added.record.id, text: 'Use IVF_FLAT when the index must fit in less memory than HNSW needs.' }] })
    } finally {
      await client.close()
    }
  })

  it('over Streamable HTTP at /mcp on the API port: the token is required, a foreign Origin is refused, and calls the SDK refuses are counted', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }))
    try {
      const { tools } = await client.listTools()
      expect(tools.map(t => t.name)).toContain('memory_search')
      const listed = json<{ topics: Array<{ title: string }> }>(await client.callTool({ name: 'forum_list', arguments: { community: C } }))
      expect(listed.topics.map(t => t.title)).toContain('Which index for 10M vectors?')

      const rejected = async (): Promise<Record<string, number>> => {
        const status = await fetch(`${url}/v1/status`, { headers: { authorization: `Bearer ${token}` } })
        return ((await status.json()) as { api: { rejected: { byReason: Record<string, number> } } }).api.rejected.byReason
      }
      const before = await rejected()
      expect((await client.callTool({ name: 'forum_vote', arguments: { community: C, id: 'x', vote: 'sideways' } })).isError).toBe(true)
      expect((await client.callTool({ name: 'no_such_tool', arguments: {} })).isError).toBe(true)
      const after = await rejected()
      expect(after.mcp_bad_arguments).toBe((before.mcp_bad_arguments ?? 0) + 1)
      expect(after.mcp_unknown_tool).toBe((before.mcp_unknown_tool ?? 0) + 1)
    } finally {
      await client.close()
    }
    const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
    expect((await fetch(`${url}/mcp`, { method: 'POST', headers, body: initialize })).status).toBe(401)
    expect((await fetch(`${url}/mcp`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}`, origin: 'https://evil.example' }, body: initialize })).status).toBe(403)
  })

  it('the MCP inspector\'s CLI lists the tools and calls one, over stdio and over HTTP', async () => {
    // the inspector keeps a catalog of servers: in the test's folder, not the user's home
    const env = { MCP_CATALOG_PATH: join(dir.path, 'inspector-catalog.json') }
    const stdio = await runProcess(process.execPath, [INSPECTOR, '--cli', '--method', 'tools/list', '--', process.execPath, BIN, 'mcp', '--data-dir', dataDir()], { env })
    expect(stdio.code).toBe(0)
    expect((JSON.parse(stdio.stdout) as { tools: Array<{ name: string }> }).tools.map(t => t.name)).toContain('forum_search')
    const call = await runProcess(process.execPath, [INSPECTOR, '--cli', '--transport', 'http', '--method', 'tools/call', '--tool-name', 'channel_read', '--header', `Authorization: Bearer ${token}`, '--tool-arg', `community=${C}`, '--', `${url}/mcp`], { env })
    expect(call.code).toBe(0)
    expect(call.stdout).toContain('hello over MCP')
  })
})
