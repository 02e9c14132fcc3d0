import { z } from 'zod'
import { agentName, communityName } from '../../config/names.js'
import type { A2AService } from './service.js'
import type { Router } from '../../api/router.js'
import type { ModRouteContext } from '../contract.js'

const addBody = z.strictObject({
  community: communityName,
  url: z.url({ protocol: /^https?$/, error: 'expected the agent\'s http:// or https:// URL' }),
  name: agentName.optional(),
  token: z.string().min(1).max(4096).optional()
})

/**
 * The A2A mod's control API routes: the external A2A agents this node hosts.
 *
 * @example
 * ```ts
 * a2aRoutes(router, { service, node, body })   // POST /v1/a2a/agents { community, url }
 * ```
 */
export function a2aRoutes (router: Router, { service, body }: ModRouteContext<A2AService>): void {
  router
    .get('/v1/a2a/agents', async () => ({ agents: service.list() }))
    .post('/v1/a2a/agents', async ({ req, signal }) => ({ agent: await service.add(await body(req, addBody), signal) }), 201)
    .delete('/v1/a2a/agents/:name', async ({ params }) => ({ agent: await service.remove(params.name ?? '') }))
}
