import { z } from 'zod'
import { readBody } from '../body.js'
import { ApiError } from '../errors.js'
import type { DiscoveredAgent } from '../../discovery/card.js'
import type { OaNode } from '../../node/oa-node.js'
import type { Router } from '../router.js'

const requestBody = z.strictObject({
  /** A question (sent as `{ text }`)... */
  text: z.string().min(1).optional(),
  /** ...or any JSON payload. */
  payload: z.unknown().optional(),
  /** Needed when the agent is named without its peer id. */
  community: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional()
})

/** One of the agents a bare name matched, as a 409 `ambiguous` answer lists them. */
export interface AgentCandidate {
  /** `<name>@<peer id>`: ask this to reach this one. */
  id: string
  name: string
  peerId: string
  kind: string
  description: string
  capabilities: string[]
}

/**
 * The answer to a bare name that agents on several nodes carry: each candidate with its
 * full id, and how to pick one. Names are chosen by each node and are not unique; the
 * peer id is the node's key, so `<name>@<peer id>` is.
 */
function ambiguous (name: string, community: string, matches: DiscoveredAgent[]): ApiError {
  const candidates: AgentCandidate[] = matches.map(a => ({ id: a.id, name: a.name, peerId: a.peerId, kind: a.kind, description: a.description, capabilities: a.capabilities }))
  const lines = candidates.map(c => `  ${c.id}${c.description === '' ? '' : `  (${c.description.slice(0, 60)})`}`)
  return new ApiError(409, 'ambiguous', [
    `${candidates.length} agents are named "${name}" in ${community}, on different nodes:`,
    ...lines,
    `name one as <name>@<peer id>, e.g. ${community}/${candidates[0]?.id ?? `${name}@<peer id>`}`
  ].join('\n'), { candidates })
}

/**
 * `GET /v1/agents?community&capability`: agents found through the DHT.
 * `POST /v1/agents/:id/requests`: a direct request to an agent, by `<name>@<peer id>`,
 * or by name with `community` in the body. A name that agents on several nodes carry
 * is answered 409 `ambiguous`, with `error.candidates` listing each one's full id.
 */
export function agentRoutes (router: Router, node: OaNode): Router {
  const { discovery, channels } = node.libp2p.services
  const find = async (community: string | undefined, capability: string | undefined, signal: AbortSignal): Promise<DiscoveredAgent[]> => {
    const communities = community == null ? node.communities : [community]
    if (community != null && !node.communities.includes(community)) throw new ApiError(404, 'not_member', `this node has not joined community "${community}" (joined: ${node.communities.join(', ') || 'none'})`)
    const found = await Promise.all(communities.map(async c => discovery.findAgents({ community: c, capability, includeOffline: true, signal })))
    return found.flat()
  }
  return router
    .get('/v1/agents', async ({ url, signal }) => ({
      agents: await find(url.searchParams.get('community') ?? undefined, url.searchParams.get('capability') ?? undefined, signal)
    }))
    .post('/v1/agents/:id/requests', async ({ req, params, signal }) => {
      const body = await readBody(req, requestBody)
      if ((body.text == null) === (body.payload === undefined)) throw new ApiError(400, 'bad_request', 'send either text or payload')
      let id = params.id ?? ''
      let community = body.community
      if (!id.includes('@')) {
        if (community == null) throw new ApiError(400, 'bad_request', `community: required to find agent "${id}" by name (or name it <name>@<peer id>)`)
        const matches = (await find(community, undefined, signal)).filter(a => a.name === id)
        const online = matches.filter(a => a.online)
        if (matches.length === 0) throw new ApiError(404, 'no_such_agent', `no agent named "${id}" found in ${community}`)
        if (online.length === 0) throw new ApiError(502, 'unreachable', `${id} was last seen on ${matches[0]?.peerId ?? '?'}, which is offline`)
        if (online.length > 1) throw ambiguous(id, community, online)
        id = online[0]?.id ?? id
      }
      community ??= (await find(undefined, undefined, signal)).find(a => a.id === id)?.community ?? node.communities[0]
      if (community == null) throw new ApiError(400, 'bad_request', 'community: required (this node joined none)')
      const reply = await channels.request({ community, from: 'user', to: id, payload: body.text != null ? { text: body.text } : body.payload, timeoutMs: body.timeoutMs, signal })
      return { agent: id, reply: reply.event }
    })
}
