import { z } from 'zod'
import { CommunityObject, decodeObject, encodeObject } from './objects.js'

const PREFIX = 'oa-invite:'
const MAX_INVITE_CHARS = 200_000

/**
 * What an invite carries: the community's genesis, where its admin can be reached, and
 * either a credential (with the key grant sealed to the invited peer) or a bearer invite
 * that any node holding it exchanges with an admin for a credential of its own.
 */
export interface Invite {
  genesis: CommunityObject
  /** Multiaddrs of the issuing node (with `/p2p/<peer id>`). */
  addrs: string[]
  /** For a named peer: its credential and grant, and whatever else it needs. */
  objects: CommunityObject[]
  /** For anyone who has the invite. */
  bearer?: CommunityObject
}

const shape = z.strictObject({
  v: z.literal(1),
  genesis: z.string(),
  addrs: z.array(z.string().max(512)).max(32),
  objects: z.array(z.string()).max(64),
  bearer: z.string().optional()
})

const b64 = (o: CommunityObject): string => Buffer.from(encodeObject(o)).toString('base64url')
const unb64 = (s: string): CommunityObject => decodeObject(Uint8Array.from(Buffer.from(s, 'base64url')))

/**
 * Writes an invite as one line, `oa-invite:...`, to paste into `oa-node start --join`.
 *
 * @example
 * ```ts
 * const line = formatInvite({ genesis, addrs: node.multiaddrs(), objects: [], bearer })
 * ```
 */
export function formatInvite (invite: Invite): string {
  const json = JSON.stringify({ v: 1, genesis: b64(invite.genesis), addrs: invite.addrs, objects: invite.objects.map(b64), ...(invite.bearer == null ? {} : { bearer: b64(invite.bearer) }) })
  return PREFIX + Buffer.from(json).toString('base64url')
}

/** Reads an `oa-invite:` line; throws a TypeError naming what is wrong with it. */
export function parseInvite (text: string): Invite {
  const line = text.trim()
  if (!line.startsWith(PREFIX)) throw new TypeError('an invite starts with "oa-invite:"')
  if (line.length > MAX_INVITE_CHARS) throw new TypeError('the invite is too long')
  let parsed
  try {
    parsed = shape.parse(JSON.parse(Buffer.from(line.slice(PREFIX.length), 'base64url').toString('utf8')))
  } catch {
    throw new TypeError('the invite is damaged (copy the whole oa-invite:... line)')
  }
  try {
    return { genesis: unb64(parsed.genesis), addrs: parsed.addrs, objects: parsed.objects.map(unb64), ...(parsed.bearer == null ? {} : { bearer: unb64(parsed.bearer) }) }
  } catch {
    throw new TypeError('the invite holds a damaged object')
  }
}
