import { ApiClient } from '../api/client.js'
import { UsageError } from './errors.js'
import { print, printJson, shortAgent } from './format.js'
import { clientDataDir } from './status.js'
import type { EventJson } from '../events/json.js'
import type { ClientFlags } from './status.js'

/** `devsupport/general` -> community and channel; a UsageError naming the argument otherwise. */
export function parseChannelRef (ref: string): { community: string, channel: string } {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(ref)
  if (match == null) throw new UsageError(`"${ref}" is not <community>/<channel> (for example devsupport/general)`)
  return { community: match[1] ?? '', channel: match[2] ?? '' }
}

function path (ref: { community: string, channel: string }): string {
  return `/v1/communities/${encodeURIComponent(ref.community)}/channels/${encodeURIComponent(ref.channel)}/messages`
}

/** One line per event: time, author, text (replies and reactions marked). */
export function formatEvent (event: EventJson): string {
  const time = event.time.slice(11, 19)
  const payload = (event.payload ?? {}) as { text?: unknown, reaction?: unknown }
  const who = shortAgent(event.source)
  switch (event.type) {
    case 'channel.message.post': return `${time}  ${who}  ${String(payload.text)}  [${event.id}]`
    case 'channel.message.reply': return `${time}  ${who}  ↳ ${String(payload.text)}  [${event.id} reply to ${event.replyTo ?? '?'}]`
    case 'channel.reaction.add': return `${time}  ${who}  reacted ${String(payload.reaction)} to ${event.replyTo ?? '?'}`
    default: return `${time}  ${who}  ${event.type} ${JSON.stringify(event.payload)}`
  }
}

export interface PostFlags extends ClientFlags {
  replyTo?: string
  as?: string
}

/** `oa-node post <community>/<channel> <text>` */
export async function postCommand (ref: string, text: string, flags: PostFlags): Promise<number> {
  const target = parseChannelRef(ref)
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const { message } = await api.post<{ message: EventJson }>(path(target), { text, replyTo: flags.replyTo, agent: flags.as })
  if (flags.json === true) printJson(message)
  else print(`posted ${message.id} to ${target.community}/${target.channel}`)
  return 0
}

export interface HistoryFlags extends ClientFlags {
  limit?: number
  before?: number
}

/** `oa-node history <community>/<channel>` */
export async function historyCommand (ref: string, flags: HistoryFlags): Promise<number> {
  const target = parseChannelRef(ref)
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const query = new URLSearchParams({ limit: String(flags.limit ?? 50) })
  if (flags.before != null) query.set('before', String(flags.before))
  const { messages } = await api.get<{ messages: EventJson[] }>(`${path(target)}?${query.toString()}`)
  for (const m of messages) {
    if (flags.json === true) printJson(m)
    else print(formatEvent(m))
  }
  return 0
}

export interface TailFlags extends ClientFlags {
  lines?: number
}

/**
 * `oa-node tail <community>/<channel>`: the last lines of the channel, then every new
 * event as it arrives, until Ctrl-C.
 */
export async function tailCommand (ref: string, flags: TailFlags): Promise<number> {
  const target = parseChannelRef(ref)
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const shown = new Set<string>()
  const show = (event: EventJson): void => {
    if (shown.has(event.id)) return
    shown.add(event.id)
    if (flags.json === true) printJson(event)
    else print(formatEvent(event))
  }
  // subscribe first, then read history, so nothing falls between the two
  const ws = await api.events({ community: target.community, channel: target.channel, type: 'channel.' })
  const buffered: EventJson[] = []
  let live = false
  ws.on('message', (data: Buffer) => {
    const { event } = JSON.parse(data.toString()) as { event: EventJson }
    if (live) show(event)
    else buffered.push(event)
  })
  const lines = flags.lines ?? 10
  if (lines > 0) {
    const { messages } = await api.get<{ messages: EventJson[] }>(`${path(target)}?limit=${lines}`)
    for (const m of messages) show(m)
  }
  for (const event of buffered) show(event)
  live = true
  return new Promise<number>((resolve) => {
    const stop = (): void => { ws.close(); resolve(0) }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    ws.once('close', () => {
      process.removeListener('SIGINT', stop)
      process.removeListener('SIGTERM', stop)
      process.stderr.write('oa-node: the node closed the event stream\n')
      resolve(1)
    })
  })
}
