import { ApiClient } from '../api/client.js'
import { UsageError } from './errors.js'
import { fields, print, printJson, table } from './format.js'
import { clientDataDir } from './status.js'
import type { CommunityView, MemberView } from '../communities/index.js'
import type { ClientFlags } from './status.js'

function path (community: string, rest = ''): string {
  return `/v1/communities/${encodeURIComponent(community)}${rest}`
}

/** "7d", "12h", "30m", "45s" -> ms */
export function parseDuration (text: string): number {
  const match = /^(\d+)\s*(d|h|m|s)$/.exec(text.trim())
  if (match == null) throw new UsageError(`--expires: "${text}" is not a duration (e.g. 7d, 12h, 30m)`)
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[match[2] as 'd' | 'h' | 'm' | 's']
  return Number(match[1]) * unit
}

function describe (view: CommunityView): string {
  return fields([
    ['community', view.name],
    ['id', view.id],
    ['policy', view.policy],
    ['role', view.role ?? 'removed'],
    ['key epoch', String(view.epoch)],
    ['members', String(view.members)],
    ['admins', view.admins]
  ])
}

export interface CreateFlags extends ClientFlags {
  private?: boolean
  open?: boolean
}

/** `oa-node community create <name> --private|--open` */
export async function communityCreateCommand (name: string, flags: CreateFlags): Promise<number> {
  if (flags.private === true && flags.open === true) throw new UsageError('choose one of --private and --open')
  if (flags.private !== true && flags.open !== true) throw new UsageError('say what kind of community to create: --private (members only, content sealed) or --open (anyone may join by name)')
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { community } = await api.post<{ community: CommunityView }>('/v1/communities', { name, policy: flags.private === true ? 'private' : 'open' })
  if (flags.json === true) printJson(community)
  else print(describe(community))
  return 0
}

export interface InviteFlags extends ClientFlags {
  for?: string
  role?: string
  expires?: string
}

/** `oa-node community invite <name> [--for <peer id>] [--role member] [--expires 7d]` */
export async function communityInviteCommand (name: string, flags: InviteFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const body = { ...(flags.for == null ? {} : { for: flags.for }), ...(flags.role == null ? {} : { role: flags.role }), ...(flags.expires == null ? {} : { expiresInMs: parseDuration(flags.expires) }) }
  const result = await api.post<{ invite: string, expiresAt?: number }>(path(name, '/invites'), body)
  if (flags.json === true) printJson(result)
  else print(result.invite)
  return 0
}

/** `oa-node community join '<oa-invite:...>'` on a running node */
export async function communityJoinCommand (invite: string, flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { community } = await api.post<{ community: CommunityView }>('/v1/join', { invite })
  if (flags.json === true) printJson(community)
  else print(`joined ${community.name} (${community.id}) as ${community.role ?? '?'}`)
  return 0
}

/** `oa-node community members <name>` */
export async function communityMembersCommand (name: string, flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { members } = await api.get<{ members: MemberView[] }>(path(name, '/members'))
  if (flags.json === true) {
    for (const m of members) printJson(m)
    return 0
  }
  print(table(['PEER ID', 'ROLE', 'SINCE', 'EXPIRES'], members.map(m => [m.peerId, m.role, new Date(m.issuedAt).toISOString(), m.expiresAt == null ? '-' : new Date(m.expiresAt).toISOString()])))
  return 0
}

/** `oa-node community remove <name> <peer id>` */
export async function communityRemoveCommand (name: string, peer: string, flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { community } = await api.delete<{ community: CommunityView }>(path(name, `/members/${encodeURIComponent(peer)}`))
  if (flags.json === true) printJson(community)
  else print(`removed ${peer} from ${community.name}; the key is now at epoch ${community.epoch}, sealed to the ${community.members} remaining members`)
  return 0
}
