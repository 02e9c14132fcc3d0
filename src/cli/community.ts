import { ApiClient, ApiRequestError } from '../api/client.js'
import { CommunityError } from '../communities/errors.js'
import { COMMUNITY_NAME } from '../config/schema.js'
import { UsageError } from './errors.js'
import { fields, print, printJson, table } from './format.js'
import { commandLine } from './invocation.js'
import { clientDataDir } from './status.js'
import type { CommunityJson } from '../api/routes/channels.js'
import type { CommunityView, MemberView } from '../communities/index.js'
import type { ClientFlags } from './status.js'

const INVITE_PREFIX = 'oa-invite:'

/** A bad community name is a usage error, named before anything is asked of the node. */
function checkName (name: string, orInvite = false): void {
  if (!COMMUNITY_NAME.test(name)) throw new UsageError(`"${name}" is not a community name (1-63 characters of a-z, 0-9, "_" and "-", starting with a letter or digit)${orInvite ? ` nor an invite (${INVITE_PREFIX}...)` : ''}`)
}

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

/**
 * `oa-node community join '<oa-invite:...>'` or `oa-node community join <name>` on a
 * running node: an argument starting with `oa-invite:` is an invite, any other a
 * community name (an open community, or a private one this node left and still holds a
 * credential of). Either is joined again at every start.
 */
export async function communityJoinCommand (target: string, flags: ClientFlags): Promise<number> {
  const byName = !target.startsWith(INVITE_PREFIX)
  if (byName) checkName(target, true)
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  if (byName) {
    const joined = await api.post<CommunityJson>(path(target), {})
    if (flags.json === true) printJson(joined)
    else print(`joined ${joined.name} (${joined.policy}${joined.role == null ? '' : `, ${joined.role}`})`)
    return 0
  }
  const { community } = await api.post<{ community: CommunityView }>('/v1/join', { invite: target })
  if (flags.json === true) printJson(community)
  else print(`joined ${community.name} (${community.id}) as ${community.role ?? '?'}`)
  return 0
}

/** `oa-node community leave <name>`: leaves a community on the running node; it stays left across restarts. */
export async function communityLeaveCommand (name: string, flags: ClientFlags): Promise<number> {
  checkName(name)
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  let left: { left: string }
  try {
    left = await api.delete<{ left: string }>(path(name))
  } catch (err) {
    // not in it: nothing to do, but not done either (exit 1, not a usage error)
    if (err instanceof ApiRequestError && err.status === 404) throw new CommunityError(err.code, err.message)
    throw err
  }
  if (flags.json === true) printJson(left)
  else print(`left ${left.left}`)
  return 0
}

/** `oa-node community list`: the communities the running node is in. */
export async function communityListCommand (flags: ClientFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { communities } = await api.get<{ communities: CommunityJson[] }>('/v1/communities')
  if (flags.json === true) {
    for (const c of communities) printJson(c)
    return 0
  }
  if (communities.length === 0) {
    print(`this node is in no community (join one with \`${commandLine('community join <name>')}\`)`)
    return 0
  }
  const messages = (c: CommunityJson): number => c.channels.reduce((n, ch) => n + ch.messages, 0)
  print(table(['COMMUNITY', 'POLICY', 'ROLE', 'CHANNELS', 'MESSAGES'], communities.map(c => [c.name, c.policy, c.role ?? '-', c.channels.map(ch => ch.name).join(',') || '-', String(messages(c))])))
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
