import { z } from 'zod'
import { ROLES } from '../../communities/objects.js'
import { readBody } from '../body.js'
import type { Router } from '../router.js'
import type { OaNode } from '../../node/oa-node.js'

const createBody = z.strictObject({
  name: z.string().min(1),
  policy: z.enum(['open', 'private'])
})

const inviteBody = z.strictObject({
  for: z.string().min(1).optional(),
  role: z.enum(ROLES).optional(),
  expiresInMs: z.number().int().min(1000).max(10 * 365 * 86_400_000).optional()
})

const joinBody = z.strictObject({ invite: z.string().min(1).max(200_000) })

/**
 * Membership endpoints (the trust layer):
 * `POST /v1/communities` (create), `POST /v1/join` (join with an invite),
 * `GET /v1/communities/:c/members`, `POST /v1/communities/:c/invites`,
 * `DELETE /v1/communities/:c/members/:peer` (remove, rotating the key).
 */
export function communityRoutes (router: Router, node: OaNode): Router {
  const communities = node.libp2p.services.communities
  return router
    .post('/v1/communities', async ({ req }) => {
      const { name, policy } = await readBody(req, createBody)
      return { community: await communities.create(name, policy) }
    }, 201)
    .post('/v1/join', async ({ req, signal }) => {
      const { invite } = await readBody(req, joinBody)
      return { community: await communities.join(invite, signal) }
    })
    .get('/v1/communities/:c/members', ({ params }) => Promise.resolve({ community: params.c, members: communities.members(params.c ?? '') }))
    .post('/v1/communities/:c/invites', async ({ req, params }) => {
      const body = await readBody(req, inviteBody)
      return await communities.invite(params.c ?? '', { ...(body.for == null ? {} : { for: body.for }), ...(body.role == null ? {} : { role: body.role }), ...(body.expiresInMs == null ? {} : { expiresInMs: body.expiresInMs }) })
    }, 201)
    .delete('/v1/communities/:c/members/:peer', async ({ params }) => ({ community: await communities.remove(params.c ?? '', params.peer ?? '') }))
}
