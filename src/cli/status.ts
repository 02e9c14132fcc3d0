import { ApiClient } from '../api/client.js'
import { resolveDataDir, DEFAULT_DATA_DIR } from '../config/load.js'
import { duration, fields, print, printJson, table } from './format.js'
import type { A2AStatus } from '../mods/a2a/service.js'
import type { StatusAnswer } from '../api/server.js'
import type { NodeStatus, PeerInfoView } from '../node/oa-node.js'
import type { RemoteAgentGatewayStatus } from '../gateway/remote/gateway.js'

export interface ClientFlags {
  dataDir?: string
  json?: boolean
}

/** The data dir a client command talks to: the flag, then OA_DATA_DIR, then the default. */
export function clientDataDir (flags: ClientFlags): string {
  return resolveDataDir(flags.dataDir ?? process.env.OA_DATA_DIR ?? DEFAULT_DATA_DIR)
}

function rejectedLine (status: NodeStatus): string {
  const reasons = Object.entries(status.rejected.byReason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`)
  return reasons.length === 0 ? '0' : `${status.rejected.total} (${reasons.join(', ')})`
}

function apiRefusedLine (status: StatusAnswer): string {
  // a node of an older version does not report it
  const rejected = status.api?.rejected as StatusAnswer['api']['rejected'] | undefined
  if (rejected == null) return 'not reported'
  const reasons = Object.entries(rejected.byReason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`)
  return reasons.length === 0 ? '0' : `${rejected.total} (${reasons.join(', ')})`
}

/** `oa-node status`: the running node's identity, addresses and peer count. */
export async function statusCommand (flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const status = await api.get<StatusAnswer>('/v1/status')
  if (flags.json === true) {
    printJson(status)
    return 0
  }
  print(fields([
    ['peer id', status.peerId],
    ['version', status.version],
    ['uptime', duration(status.uptimeMs)],
    ['peers', String(status.peers)],
    ['memory', `${status.memory.rssMiB} MiB resident, ${status.memory.heapUsedMiB} MiB JavaScript heap`],
    // a node of an older version does not report them
    ...((status.endpoints as NodeStatus['endpoints'] | undefined ?? []).length === 0 ? [] : [['endpoints', status.endpoints.map(endpointLine)] as [string, string[]]]),
    ['streams', `${status.streams.total} open on ${status.connections} connection${status.connections === 1 ? '' : 's'}`],
    ['communities', status.communities.map(c => `${c} (${(status.channels[c] ?? []).join(', ')})`)],
    ['rejected', rejectedLine(status)],
    ['listening', status.multiaddrs],
    ...reachLines(status.reach),
    ['api', api.info.url],
    ['api refused', apiRefusedLine(status)],
    ...remoteAgentsLine((status as unknown as Record<string, unknown>).remote_agents),
    ...a2aLines(status.a2a),
    ['data dir', status.dataDir]
  ]))
  return 0
}

/** The remote-agent gateway's line: agents connected over WS /v1/agents/connect, frames refused (absent when the mod is off). */
function remoteAgentsLine (section: unknown): Array<[string, string]> {
  if (section == null || typeof section !== 'object') return []
  const { connections, agents, rejected } = section as Partial<RemoteAgentGatewayStatus>
  const names = (agents ?? []).map(a => a.name)
  const refused = rejected?.total ?? 0
  return [['remote agents', `${names.length === 0 ? 'none' : names.join(', ')} (${connections ?? 0} connection${connections === 1 ? '' : 's'}; ${refused} frame${refused === 1 ? '' : 's'} refused)`]]
}

/** `oa-node peers`: the connected peers. */
export async function peersCommand (flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { peers } = await api.get<{ peers: PeerInfoView[] }>('/v1/peers')
  if (flags.json === true) {
    printJson({ peers })
    return 0
  }
  if (peers.length === 0) {
    print('no connected peers')
    return 0
  }
  print(table(['PEER ID', 'DIRECTION', 'PATH', 'CONNECTED', 'ADDRESS'], peers.map(p => [p.peerId, p.direction, p.relayed ? 'relayed' : 'direct', duration(p.connectedForMs), p.addresses.join(', ')])))
  return 0
}

/** Reachability and relay reservations (a node of an older version does not report them). */
function reachLines (reach: NodeStatus['reach'] | undefined): Array<[string, string]> {
  if (reach == null) return []
  const held = reach.relayReservations.held
  return [
    ['reachability', `${reach.reachability}${reach.announcingPrivate ? '' : ' (private addresses not announced)'}`],
    ['relays', `${held.length === 0 ? 'no reservation' : `reserved on ${held.join(', ')}`}; ${reach.relayServing ? `serving ${reach.relayReservations.served} reservation${reach.relayReservations.served === 1 ? '' : 's'}` : 'not offering a relay'}`]
  ]
}

/** `milvus 127.0.0.1:19530 up (1 outage, 7 failed calls)`, or `down since ... : reason`. */
function endpointLine (e: NodeStatus['endpoints'][number]): string {
  const counts = `${e.outages} outage${e.outages === 1 ? '' : 's'}, ${e.failures} failed call${e.failures === 1 ? '' : 's'}`
  return e.state === 'up' ? `${e.endpoint} ${e.address} up (${counts})` : `${e.endpoint} ${e.address} DOWN for ${duration(Date.now() - (e.downSince ?? Date.now()))}: ${e.reason ?? '?'} (${counts})`
}


/** The A2A gateway's lines, when it listens or hosts external agents. */
function a2aLines (section: unknown): Array<[string, string | string[]]> {
  const a2a = section as Partial<A2AStatus> | undefined
  const inbound = a2a?.inbound
  const lines: Array<[string, string | string[]]> = []
  if (inbound?.url != null) lines.push(['a2a', `${inbound.url} (${inbound.agents.length} agent${inbound.agents.length === 1 ? '' : 's'}, ${inbound.tasks} task${inbound.tasks === 1 ? '' : 's'} kept, ${inbound.active} running, ${inbound.refused.total} refused)`])
  const remote = a2a?.remote ?? []
  if (remote.length > 0) lines.push(['a2a agents', remote.map(r => `${r.name} ${r.state} (${r.url})`)])
  return lines
}
