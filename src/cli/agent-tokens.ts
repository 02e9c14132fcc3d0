import { ApiClient, ApiRequestError } from '../api/client.js'
import { NodeNotRunningError } from '../api/errors.js'
import { AGENT_NAME, COMMUNITY_NAME } from '../config/names.js'
import { ensurePrivateDir } from '../files/private-files.js'
import { AgentTokens } from '../gateway/remote/tokens.js'
import { REMOTE_AGENT_PATH, REMOTE_AGENT_SUBPROTOCOL } from '../gateway/remote/constants.js'
import { UsageError } from './errors.js'
import { print, printJson } from './format.js'
import { clientDataDir } from './status.js'
import type { ClientFlags } from './status.js'

export interface AgentTokenFlags extends ClientFlags {
  community?: string
  revoke?: boolean
}

/** The running node of the data dir, or undefined when none runs (the token file is then changed directly). */
async function runningNode (dataDir: string): Promise<ApiClient | undefined> {
  try {
    return await ApiClient.fromDataDir(dataDir)
  } catch (err) {
    if (err instanceof NodeNotRunningError) return undefined
    throw err
  }
}

/** The token file of a data dir no node runs on (made private, as the node makes it). */
async function offlineTokens (dataDir: string): Promise<AgentTokens> {
  await ensurePrivateDir(dataDir)
  return new AgentTokens(dataDir)
}

/**
 * `oa-node agents token <name> [--community c] [--revoke]`: issues a per-agent token (it
 * lets a remote process register that one agent over `WS /v1/agents/connect`), or revokes
 * it. Through the running node when there is one (a revoked token's connections close),
 * otherwise in the data dir's token file.
 */
export async function agentTokenCommand (name: string, flags: AgentTokenFlags): Promise<number> {
  if (!AGENT_NAME.test(name)) throw new UsageError(`"${name}" is not an agent name (1-64 characters of letters, digits, "_" and "-")`)
  if (flags.community != null && !COMMUNITY_NAME.test(flags.community)) throw new UsageError(`--community: "${flags.community}" is not a community name`)
  if (flags.revoke === true && flags.community != null) throw new UsageError('--revoke takes no --community: an agent has one token')
  const dataDir = clientDataDir(flags)
  const api = await runningNode(dataDir)
  if (flags.revoke === true) {
    let outcome: { revoked: boolean, disconnected: number }
    if (api != null) {
      try {
        outcome = await api.delete<{ revoked: boolean, disconnected: number }>(`/v1/agent-tokens/${encodeURIComponent(name)}`)
      } catch (err) {
        if (err instanceof ApiRequestError && err.code === 'no_token') throw new UsageError(`${name} has no token in ${dataDir}`)
        throw err
      }
    } else {
      outcome = { revoked: await new AgentTokens(dataDir).revoke(name), disconnected: 0 }
      if (!outcome.revoked) throw new UsageError(`${name} has no token in ${dataDir}`)
    }
    if (flags.json === true) printJson({ agent: name, ...outcome })
    else print(`revoked the token of ${name}${outcome.disconnected > 0 ? ` (${outcome.disconnected} connection${outcome.disconnected === 1 ? '' : 's'} closed)` : ''}`)
    return 0
  }
  const scope = { agent: name, ...(flags.community == null ? {} : { community: flags.community }) }
  const token = api != null
    ? (await api.post<{ token: string }>('/v1/agent-tokens', scope)).token
    : await offlineTokens(dataDir).then(async tokens => tokens.issue(scope))
  if (flags.json === true) {
    printJson({ ...scope, token })
    return 0
  }
  print(token)
  process.stderr.write(`a token for agent ${name}${flags.community == null ? '' : ` in ${flags.community}`}: it registers only that agent, over WS ${REMOTE_AGENT_PATH} (subprotocol ${REMOTE_AGENT_SUBPROTOCOL}).\n` +
    'It is shown once (the node keeps its SHA-256 digest); issuing another replaces it; --revoke revokes it.\n')
  return 0
}
