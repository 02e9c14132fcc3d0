import { z } from 'zod'
import { readBody, intParam } from '../body.js'
import type { Router } from '../router.js'
import type { Policy, Role } from '../../communities/objects.js'
import type { OaNode } from '../../node/oa-node.js'

const postBody = z.strictObject({
  text: z.string(),
  replyTo: z.string().min(1).optional(),
  agent: z.string().min(1).optional(),
  metadata: z.record(z.string(), z.unknown()).optional()
})

const reactionBody = z.strictObject({
  reaction: z.string(),
  agent: z.string().min(1).optional()
})

const directBody = z.strictObject({
  to: z.string().min(1),
  payload: z.unknown(),
  from: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional()
})

/** A joined community as `GET /v1/communities` lists it. */
export interface CommunityJson {
  name: string
  policy: Policy
  /** For communities with a genesis (private ones, and open ones made with `community create`). */
  id?: string
  /** This node's role. */
  role?: Role
  /** The current key epoch (private communities). */
  epoch?: number
  members?: number
  channels: Array<{ name: string, messages: number }>
}

/**
 * Community, channel and direct-message endpoints:
 * `GET /v1/communities`, `POST|DELETE /v1/communities/:c` (join by name, leave; both kept across restarts),
 * `POST|GET /v1/communities/:c/channels/:ch/messages`,
 * `POST /v1/communities/:c/channels/:ch/messages/:id/reactions`,
 * `POST /v1/communities/:c/direct`.
 */
export function channelRoutes (router: Router, node: OaNode): Router {
  const channels = node.libp2p.services.channels
  const communities = node.libp2p.services.communities
  const describe = (community: string): CommunityJson => {
    const stored = channels.stored(community)
    const held = communities.describe(community)
    return {
      name: community,
      policy: held?.policy ?? 'open',
      ...(held == null ? {} : { id: held.id, role: held.role, epoch: held.epoch, members: held.members }),
      channels: channels.channels(community).map(name => ({ name, messages: stored[name] ?? 0 }))
    }
  }
  return router
    .get('/v1/communities', () => Promise.resolve({ communities: channels.communities().map(describe) }))
    .post('/v1/communities/:c', async ({ params }) => {
      await node.join(params.c ?? '')
      return describe(params.c ?? '')
    })
    .delete('/v1/communities/:c', async ({ params }) => {
      await node.leave(params.c ?? '')
      return { left: params.c }
    })
    .post('/v1/communities/:c/channels/:ch/messages', async ({ req, params }) => {
      const body = await readBody(req, postBody)
      const target = { community: params.c ?? '', channel: params.ch ?? '', text: body.text, agent: body.agent, metadata: body.metadata }
      const message = body.replyTo == null ? await channels.post(target) : await channels.reply({ ...target, replyTo: body.replyTo })
      return { message }
    }, 201)
    .get('/v1/communities/:c/channels/:ch/messages', ({ url, params }) => Promise.resolve({
      messages: channels.list(params.c ?? '', params.ch ?? '', {
        limit: intParam(url, 'limit', 1, 1000),
        before: intParam(url, 'before', 0, Number.MAX_SAFE_INTEGER)
      })
    }))
    .post('/v1/communities/:c/channels/:ch/messages/:id/reactions', async ({ req, params }) => {
      const body = await readBody(req, reactionBody)
      return { message: await channels.react({ community: params.c ?? '', channel: params.ch ?? '', messageId: params.id ?? '', reaction: body.reaction, agent: body.agent }) }
    }, 201)
    .post('/v1/communities/:c/direct', async ({ req, params, signal }) => {
      const body = await readBody(req, directBody)
      const reply = await channels.request({ community: params.c ?? '', from: body.from ?? 'user', to: body.to, payload: body.payload, timeoutMs: body.timeoutMs, signal })
      return { reply: reply.event }
    })
}
