import { z } from 'zod'
import { agentName, communityName } from '../../config/names.js'
import { ApiError } from '../../api/errors.js'
import type { RemoteAgentGateway } from './gateway.js'
import type { ModRouteContext } from '../../mods/contract.js'
import type { Router } from '../../api/router.js'

const issueBody = z.strictObject({ agent: agentName, community: communityName.optional() })

/**
 * `GET /v1/agent-tokens`: the per-agent tokens (scope and age, never the token).
 * `POST /v1/agent-tokens` `{ agent, community? }` → 201 `{ token, agent, community? }`: a new token (it replaces the agent's old one).
 * `DELETE /v1/agent-tokens/:agent` → `{ revoked, disconnected }`: revokes it and disconnects whoever uses it.
 */
export function agentTokenRoutes (router: Router, { service, node, body }: ModRouteContext<RemoteAgentGateway>): void {
  router
    .get('/v1/agent-tokens', async () => ({ tokens: await service.tokens.list() }))
    .post('/v1/agent-tokens', async ({ req }) => {
      const scope = await body(req, issueBody)
      if (scope.community != null && !node.communities.includes(scope.community)) throw new ApiError(404, 'not_member', `this node has not joined community "${scope.community}"`)
      const token = await service.tokens.issue(scope)
      return { token, ...scope }
    }, 201)
    .delete('/v1/agent-tokens/:agent', async ({ params }) => {
      const agent = params.agent ?? ''
      const outcome = await service.revoke(agent)
      if (!outcome.revoked && outcome.disconnected === 0) throw new ApiError(404, 'no_token', `agent "${agent}" has no token`)
      return outcome
    })
}
