import { z } from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

/** The node's control API as the MCP tools call it: the same routes, checks and errors as every other client. */
export interface NodeApi {
  get: <T>(path: string) => Promise<T>
  post: <T>(path: string, body: unknown) => Promise<T>
}

const community = z.string().min(1).max(64).describe('a community this node joined, e.g. devsupport')
const channel = z.string().min(1).max(64).describe('a channel of the community, e.g. general')
const id = z.string().min(1).max(200)

const enc = encodeURIComponent

/** A tool's answer: its JSON result as text, or an MCP tool error naming the problem. */
async function answer (run: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const result = await run()
    return { content: [{ type: 'text', text: JSON.stringify(result, null, 2) }] }
  } catch (err) {
    return { isError: true, content: [{ type: 'text', text: (err as Error).message }] }
  }
}

const query = (params: Record<string, string | number | undefined>): string => {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${enc(k)}=${enc(String(v))}`)
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

/**
 * Registers the node's tools on an MCP server: channels (post, read), memory (search,
 * add), agents (find, ask), the wiki (list, show, edit) and the forum (list, show, post,
 * comment, vote, search). Each calls the node's control API, so a tool is refused
 * exactly where the API would refuse it, and the refusal comes back as an MCP tool error
 * (`isError`) with the API's message.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: 'oa-node', version: VERSION })
 * registerNodeTools(server, await ApiClient.fromDataDir('./n1'))
 * ```
 */
export function registerNodeTools (server: McpServer, api: NodeApi): void {
  server.registerTool('channel_post', {
    description: 'Post a message to a channel of a community (as the node\'s user). Returns the posted message.',
    inputSchema: { community, channel: channel.default('general'), text: z.string().min(1).max(65_536).describe('the message'), replyTo: id.optional().describe('the id of a message to reply to') }
  }, async ({ community: c, channel: ch, text, replyTo }) => answer(async () => api.post(`/v1/communities/${enc(c)}/channels/${enc(ch)}/messages`, { text, ...(replyTo == null ? {} : { replyTo }) })))

  server.registerTool('channel_read', {
    description: 'Read the latest messages of a channel, oldest first.',
    inputSchema: { community, channel: channel.default('general'), limit: z.number().int().min(1).max(500).default(50) }
  }, async ({ community: c, channel: ch, limit }) => answer(async () => api.get(`/v1/communities/${enc(c)}/channels/${enc(ch)}/messages${query({ limit })}`)))

  server.registerTool('memory_search', {
    description: 'Search the community\'s shared memory by meaning (hybrid: vectors and BM25). Returns records with scores.',
    inputSchema: { community, query: z.string().min(1).max(4096), k: z.number().int().min(1).max(100).default(5), kind: z.string().max(64).optional().describe('only records of this kind, e.g. expert_knowledge') }
  }, async ({ community: c, query: q, k, kind }) => answer(async () => api.get(`/v1/communities/${enc(c)}/memory/search${query({ q, k, kind })}`)))

  server.registerTool('memory_add', {
    description: 'Add a record to the community\'s shared memory; it replicates to the community\'s nodes.',
    inputSchema: { community, text: z.string().min(1).max(32_768), kind: z.string().max(64).default('expert_knowledge'), metadata: z.record(z.string(), z.unknown()).optional() }
  }, async ({ community: c, text, kind, metadata }) => answer(async () => api.post(`/v1/communities/${enc(c)}/memory`, { text, kind, ...(metadata == null ? {} : { metadata }) })))

  server.registerTool('agents_find', {
    description: 'Find agents of a community by capability through the DHT (any node\'s agents).',
    inputSchema: { community: community.optional(), capability: z.string().max(64).optional() }
  }, async ({ community: c, capability }) => answer(async () => api.get(`/v1/agents${query({ community: c, capability })}`)))

  server.registerTool('agent_ask', {
    description: 'Ask an agent a question as a direct request and wait for its answer. The agent is <name>@<peer id>, or a name with its community.',
    inputSchema: { agent: id.describe('e.g. python_expert, or python_expert@12D3KooW...'), text: z.string().min(1).max(65_536), community: community.optional(), timeoutMs: z.number().int().min(100).max(120_000).optional() }
  }, async ({ agent, text, community: c, timeoutMs }) => answer(async () => api.post(`/v1/agents/${enc(agent)}/requests`, { text, ...(c == null ? {} : { community: c }), ...(timeoutMs == null ? {} : { timeoutMs }) })))

  server.registerTool('wiki_list', { description: 'List the wiki pages of a community.', inputSchema: { community } },
    async ({ community: c }) => answer(async () => api.get(`/v1/communities/${enc(c)}/wiki`)))
  server.registerTool('wiki_show', { description: 'Show a wiki page at its head, or at a revision.', inputSchema: { community, slug: id, revision: z.union([z.number().int().min(1), z.string()]).optional() } },
    async ({ community: c, slug, revision }) => answer(async () => api.get(`/v1/communities/${enc(c)}/wiki/${enc(slug)}${query({ revision })}`)))
  server.registerTool('wiki_edit', {
    description: 'Edit a wiki page (creating it when missing): a new revision when this node owns the page, otherwise a proposal to its owner.',
    inputSchema: { community, slug: id, body: z.string().min(1).max(262_144).describe('the whole page, markdown'), summary: z.string().max(300).optional() }
  }, async ({ community: c, slug, body, summary }) => answer(async () => {
    const pages = await api.get<{ pages: Array<{ slug: string }> }>(`/v1/communities/${enc(c)}/wiki`)
    if (!pages.pages.some(p => p.slug === slug)) return api.post(`/v1/communities/${enc(c)}/wiki`, { slug, body, ...(summary == null ? {} : { summary }) })
    return api.post(`/v1/communities/${enc(c)}/wiki/${enc(slug)}/edits`, { body, ...(summary == null ? {} : { summary }) })
  }))

  server.registerTool('forum_list', { description: 'List the forum topics of a community.', inputSchema: { community, sort: z.enum(['top', 'new', 'active']).default('new') } },
    async ({ community: c, sort }) => answer(async () => api.get(`/v1/communities/${enc(c)}/forum/topics${query({ sort })}`)))
  server.registerTool('forum_show', { description: 'Show a forum topic with its nested comments and scores.', inputSchema: { community, topic: id } },
    async ({ community: c, topic }) => answer(async () => api.get(`/v1/communities/${enc(c)}/forum/topics/${enc(topic)}`)))
  server.registerTool('forum_post', {
    description: 'Post a forum topic (title, markdown body, tags).',
    inputSchema: { community, title: z.string().min(1).max(300), body: z.string().max(65_536).default(''), tags: z.array(z.string().max(32)).max(10).default([]) }
  }, async ({ community: c, title, body, tags }) => answer(async () => api.post(`/v1/communities/${enc(c)}/forum/topics`, { title, body, tags })))
  server.registerTool('forum_comment', {
    description: 'Comment on a forum topic, or reply to one of its comments (up to 5 levels).',
    inputSchema: { community, topic: id, body: z.string().min(1).max(65_536), replyTo: id.optional() }
  }, async ({ community: c, topic, body, replyTo }) => answer(async () => api.post(`/v1/communities/${enc(c)}/forum/topics/${enc(topic)}/comments`, { body, ...(replyTo == null ? {} : { replyTo }) })))
  server.registerTool('forum_vote', { description: 'Vote on a forum topic or comment: up, down, or none to withdraw.', inputSchema: { community, id, vote: z.enum(['up', 'down', 'none']) } },
    async ({ community: c, id: item, vote }) => answer(async () => api.post(`/v1/communities/${enc(c)}/forum/items/${enc(item)}/vote`, { vote })))
  server.registerTool('forum_search', { description: 'Find forum topics by meaning.', inputSchema: { community, query: z.string().min(1).max(4096), k: z.number().int().min(1).max(100).default(5) } },
    async ({ community: c, query: q, k }) => answer(async () => api.get(`/v1/communities/${enc(c)}/forum/search${query({ q, k })}`)))
}
