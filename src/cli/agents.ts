import { ApiClient, ApiRequestError } from '../api/client.js'
import { UsageError } from './errors.js'
import { print, printJson, table } from './format.js'
import { clientDataDir } from './status.js'
import type { ClientFlags } from './status.js'
import type { DiscoveredAgent } from '../discovery/card.js'
import type { EventJson } from '../events/json.js'

export interface AgentsFlags extends ClientFlags {
  community?: string
  capability?: string
}

/** `oa-node agents`: agents found through the DHT. */
export async function agentsCommand (flags: AgentsFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const query = new URLSearchParams()
  if (flags.community != null) query.set('community', flags.community)
  if (flags.capability != null) query.set('capability', flags.capability)
  const { agents } = await api.get<{ agents: DiscoveredAgent[] }>(`/v1/agents?${query.toString()}`)
  if (flags.json === true) {
    printJson({ agents })
    return 0
  }
  if (agents.length === 0) {
    print('no agents found')
    return 0
  }
  print(table(['NAME', 'KIND', 'COMMUNITY', 'CAPABILITIES', 'STATE', 'ID'], agents.map(a => [
    a.name, a.kind, a.community, a.capabilities.join(', '), a.online ? 'online' : 'offline', a.id
  ])))
  return 0
}

const FIND_RETRY_MS = 1000

export interface AskFlags extends ClientFlags {
  timeout?: number
  /** Seconds to keep looking for an agent that is not found yet. */
  wait?: number
}

/**
 * `oa-node ask <community>/<agent>[@<peer id>] <question>`: a direct request to an agent
 * on any node. A bare name that agents on several nodes carry is refused with each
 * one's full id, to ask again as `<community>/<name>@<peer id>`. With `--wait <s>`, an
 * agent not found yet (its node has just started) is looked for again for that long.
 */
export async function askCommand (ref: string, question: string, flags: AskFlags): Promise<number> {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(ref)
  if (match == null) throw new UsageError(`"${ref}" is not <community>/<agent> (for example devsupport/python_expert, or devsupport/python_expert@<peer id>)`)
  if (question.trim() === '') throw new UsageError('the question is empty')
  const [, community, agent] = match
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const timeoutMs = (flags.timeout ?? 60) * 1000
  // --wait: an agent on a node that has just started takes a moment to be findable through the DHT
  const findUntil = Date.now() + (flags.wait ?? 0) * 1000
  let reply: EventJson
  for (let attempt = 0; ; attempt++) {
    try {
      ({ reply } = await api.post<{ agent: string, reply: EventJson }>(`/v1/agents/${encodeURIComponent(agent ?? '')}/requests`, { community, text: question, timeoutMs }, AbortSignal.timeout(timeoutMs + 5000)))
      break
    } catch (err) {
      if (!(err instanceof ApiRequestError) || err.code !== 'no_such_agent' || Date.now() + FIND_RETRY_MS > findUntil) throw err
      if (attempt === 0) process.stderr.write(`${agent ?? ''} is not found in ${community ?? ''} yet; looking for it for up to ${Math.round((findUntil - Date.now()) / 1000)}s...\n`)
      await new Promise(resolve => setTimeout(resolve, FIND_RETRY_MS))
    }
  }
  if (flags.json === true) {
    printJson(reply)
    return 0
  }
  const payload = reply.payload as { text?: unknown } | null
  print(typeof payload?.text === 'string' ? payload.text : JSON.stringify(reply.payload, null, 2))
  return 0
}
