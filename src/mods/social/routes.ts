import { z } from 'zod'
import { OaError } from '../../errors.js'
import type { SocialService } from './service.js'
import type { Router } from '../../api/router.js'
import type { ModRouteContext } from '../contract.js'

const endorseBody = z.strictObject({
  /** The endorsed agent, `<name>@<peer id>`. */
  agent: z.string().min(1).max(200),
  capability: z.string().min(1).max(64),
  /** The endorsing agent of this node (default `user`). */
  from: z.string().min(1).max(64).optional()
})

const path = (rest: string): string => `/v1/communities/:c/social/${rest}`

/**
 * The social mod's control API routes (docs/api.md#social).
 *
 * @example
 * ```ts
 * socialRoutes(router, { service, node, body })   // GET /v1/communities/devsupport/social/trust?capability=milvus
 * ```
 */
export function socialRoutes (router: Router, { service, body }: ModRouteContext<SocialService>): void {
  router
    .get(path('graph'), async ({ params }) => ({ graph: service.graph(params.c ?? '') }))
    .get(path('trust'), async ({ params, url }) => {
      const capability = url.searchParams.get('capability') ?? undefined
      return { community: params.c, ...(capability == null ? {} : { capability }), trust: service.trust(params.c ?? '', capability) }
    })
    .get(path('endorsements'), async ({ params }) => ({ endorsements: service.endorsements(params.c ?? '') }))
    .post(path('endorsements'), async ({ req, params }) => {
      const { agent, capability, from } = await body(req, endorseBody)
      return { endorsement: await service.endorse(params.c ?? '', agent, capability, from) }
    }, 201)
    .delete(path('endorsements'), async ({ params, url }) => {
      const agent = url.searchParams.get('agent')
      const capability = url.searchParams.get('capability')
      if (agent == null || capability == null) throw new OaError('bad_request', 'agent and capability are required query parameters (?agent=<name>@<peer id>&capability=<capability>)')
      return { endorsement: await service.unendorse(params.c ?? '', agent, capability, url.searchParams.get('from') ?? undefined) }
    })
}
