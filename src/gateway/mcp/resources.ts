import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'
import type { NodeApi } from './tools.js'

const enc = encodeURIComponent

/** A template variable's value, as the SDK gives it (a string, or a list for an exploded variable). */
function one (value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
  try {
    return decodeURIComponent(raw)
  } catch {
    // not percent-encoded as a URI should be: the API names what it does not know
    return raw
  }
}

interface CommunityList { communities: Array<{ name: string, channels: Array<{ name: string }> }> }

/**
 * Registers the node's resources on an MCP server, read through the control API like
 * the tools: `oa://<community>/channels/<channel>` (the latest 100 messages, JSON),
 * `oa://<community>/wiki/<slug>` (a wiki page's markdown),
 * `oa://<community>/memory/<record id>` (a memory record, JSON) and
 * `oa://<community>/forum/<topic id>` (a topic with its comments, JSON). Memory hits
 * and forum topics name their ids, so a client reads them after a search. Channels and
 * wiki pages are listed; a resource the API refuses is an MCP error naming why.
 *
 * @example
 * ```ts
 * registerNodeResources(server, await ApiClient.fromDataDir('./n1'))
 * // a client reads oa://devsupport/wiki/hnsw-tuning
 * ```
 */
export function registerNodeResources (server: McpServer, api: NodeApi): void {
  const communities = async (): Promise<CommunityList['communities']> => (await api.get<CommunityList>('/v1/communities')).communities

  server.registerResource('channel', new ResourceTemplate('oa://{community}/channels/{channel}', {
    list: async () => ({
      resources: (await communities()).flatMap(c => c.channels.map(ch => ({ uri: `oa://${enc(c.name)}/channels/${enc(ch.name)}`, name: `${c.name}/${ch.name}`, mimeType: 'application/json' })))
    })
  }), { description: 'The latest 100 messages of a community channel, oldest first', mimeType: 'application/json' }, async (uri, vars): Promise<ReadResourceResult> => {
    const messages = await api.get<unknown>(`/v1/communities/${enc(one(vars.community))}/channels/${enc(one(vars.channel))}/messages?limit=100`)
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(messages, null, 2) }] }
  })

  server.registerResource('wiki_page', new ResourceTemplate('oa://{community}/wiki/{slug}', {
    list: async () => {
      const out: Array<{ uri: string, name: string, mimeType: string }> = []
      for (const c of await communities()) {
        const { pages } = await api.get<{ pages: Array<{ slug: string, title?: string }> }>(`/v1/communities/${enc(c.name)}/wiki`).catch(() => ({ pages: [] }))
        for (const p of pages) out.push({ uri: `oa://${enc(c.name)}/wiki/${enc(p.slug)}`, name: p.title ?? p.slug, mimeType: 'text/markdown' })
      }
      return { resources: out }
    }
  }), { description: 'A wiki page of a community, as markdown (its current revision)', mimeType: 'text/markdown' }, async (uri, vars): Promise<ReadResourceResult> => {
    const { page } = await api.get<{ page: { revision: { body: string } } }>(`/v1/communities/${enc(one(vars.community))}/wiki/${enc(one(vars.slug))}`)
    return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: page.revision.body }] }
  })

  server.registerResource('memory_record', new ResourceTemplate('oa://{community}/memory/{id}', { list: undefined }),
    { description: 'A record of the community\'s shared memory by id (every origin that wrote one), with its text, kind, agent and metadata', mimeType: 'application/json' }, async (uri, vars): Promise<ReadResourceResult> => {
      const records = await api.get<unknown>(`/v1/communities/${enc(one(vars.community))}/memory/records/${enc(one(vars.id))}`)
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(records, null, 2) }] }
    })

  server.registerResource('forum_topic', new ResourceTemplate('oa://{community}/forum/{topic}', { list: undefined }),
    { description: 'A forum topic with its nested comments and scores', mimeType: 'application/json' }, async (uri, vars): Promise<ReadResourceResult> => {
      const thread = await api.get<unknown>(`/v1/communities/${enc(one(vars.community))}/forum/topics/${enc(one(vars.topic))}`)
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(thread, null, 2) }] }
    })
}
