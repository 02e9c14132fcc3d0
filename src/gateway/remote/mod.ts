import { defineMod } from '../../mods/contract.js'
import { AGENT_TOKENS_FILE, MAX_FRAME_BYTES, REMOTE_AGENT_PATH, REMOTE_AGENT_SUBPROTOCOL } from './constants.js'
import { RemoteAgentGateway } from './gateway.js'
import { agentTokenRoutes } from './routes.js'
import { AgentTokens } from './tokens.js'
import type { RemoteAgentGatewayComponents } from './gateway.js'

/** The remote-agent gateway mod: `WS /v1/agents/connect` for agents in any language, and per-agent tokens. */
export const remoteAgentsMod = defineMod<RemoteAgentGateway>({
  name: 'remote_agents',
  description: 'agents in any language: a process connects over WS /v1/agents/connect (oa-agent.v1) and the node hosts its agents like its own',
  needs: ['agents', 'channels'],
  service: {
    create: ({ node }) => (components: RemoteAgentGatewayComponents) => new RemoteAgentGateway(components, { dataDir: node.dataDir, directTimeoutMs: node.channels.directTimeoutMs })
  },
  sockets: [{
    path: REMOTE_AGENT_PATH,
    subprotocol: REMOTE_AGENT_SUBPROTOCOL,
    maxPayload: MAX_FRAME_BYTES,
    principal: async (gateway, token) => gateway.principal(token),
    accept: (gateway, connection) => { gateway.accept(connection) },
    stopping: (gateway) => { gateway.goodbye() }
  }],
  routes: (router, ctx) => { agentTokenRoutes(router, ctx) },
  status: (gateway) => gateway.status(),
  files: [AGENT_TOKENS_FILE],
  // a token file that does not parse would refuse every per-agent token: say so before the node starts
  check: async ({ dataDir }) => {
    try {
      return { agentTokens: { problems: [], tokens: (await new AgentTokens(dataDir).list()).length } }
    } catch (err) {
      return { agentTokens: { problems: [(err as Error).message] } }
    }
  }
})
