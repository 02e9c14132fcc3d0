import { z } from 'zod'
import { agentName, communityName } from '../../config/names.js'

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })

/** One external A2A agent brought into a community: `a2a.remote[]` in config, or `oa-node a2a add`. */
export const remoteAgentSchema = z.strictObject({
  community: communityName,
  /** The agent's base URL (its card is at `<url>/.well-known/agent-card.json`), or the card's own URL. */
  url: httpUrl,
  /** Its name on this node (default: the card's name, made into an agent name). */
  name: agentName.optional(),
  /** Sent as `Authorization: Bearer <token>` to the agent. */
  token: z.string().min(1).max(4096).optional()
})

export type RemoteAgentConfig = z.infer<typeof remoteAgentSchema>

/** The `a2a` section of the node config (every key optional, unknown keys refused). */
export const a2aSection = z.strictObject({
  /** Port of the inbound A2A gateway; without it the gateway does not listen. 0 = any free port. */
  port: z.number().int().min(0).max(65535).optional(),
  /** Address it listens on (default 127.0.0.1). */
  host: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')], { error: 'expected an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost' }).optional(),
  /** The base URL its agent cards name, when clients reach it through another address (a proxy, a public name). */
  url: httpUrl.optional(),
  /** Tasks the gateway runs at once, over every agent; a message beyond them is rejected. */
  maxRunningTasks: z.number().int().min(1).max(10_000).optional(),
  /** External A2A agents this node hosts in its communities. */
  remote: z.array(remoteAgentSchema).max(256).optional()
})

/** The resolved `a2a` section. */
export interface A2AConfig {
  port?: number
  host: string
  url?: string
  maxRunningTasks: number
  remote: RemoteAgentConfig[]
}

/** Defaults of the `a2a` section: no inbound gateway, no external agents. */
export const A2A_DEFAULTS: A2AConfig = {
  host: '127.0.0.1',
  maxRunningTasks: 64,
  remote: []
}

/**
 * What is wrong with `a2a.remote` beside its schema: two entries named alike, or one
 * named like an agent of the config.
 *
 * @example
 * ```ts
 * remoteProblems([{ community: 'town', url: 'http://127.0.0.1:9000', name: 'bot' }], ['bot'])
 * // ['a2a.remote[0].name: an agent named "bot" is in agents already; names are unique on a node']
 * ```
 */
export function remoteProblems (remote: RemoteAgentConfig[], agentNames: string[]): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  remote.forEach((entry, i) => {
    if (entry.name == null) return
    if (agentNames.includes(entry.name)) problems.push(`a2a.remote[${i}].name: an agent named "${entry.name}" is in agents already; names are unique on a node`)
    else if (seen.has(entry.name)) problems.push(`a2a.remote[${i}].name: two external agents are named "${entry.name}"; names are unique on a node`)
    seen.add(entry.name)
  })
  return problems
}
