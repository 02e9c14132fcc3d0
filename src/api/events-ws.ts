import { WebSocketServer } from 'ws'
import { STATUS_CODES } from 'node:http'
import { CHANNEL_NAME } from '../events/types.js'
import { EVENTS_SUBPROTOCOL } from './auth.js'
import { ApiError } from './errors.js'
import type { ObservedEvent } from '../channels/context.js'
import type { OaNode } from '../node/oa-node.js'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'

/** Filters of `WS /v1/events`, from its query string. */
export interface EventFilter {
  community?: string
  channel?: string
  /** Exact type, or a prefix ending in `.` (`channel.`). */
  type?: string
}

/** A client that falls this far behind is disconnected rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

/** Parses and checks the filters; ApiError 400/404 naming the bad one. */
export function parseEventFilter (url: URL, node: OaNode): EventFilter {
  const filter: EventFilter = {}
  const community = url.searchParams.get('community')
  const channel = url.searchParams.get('channel')
  const type = url.searchParams.get('type')
  if (community != null) {
    if (!node.communities.includes(community)) throw new ApiError(404, 'not_member', `this node has not joined community "${community}"`)
    filter.community = community
  }
  if (channel != null) {
    if (!CHANNEL_NAME.test(channel)) throw new ApiError(400, 'bad_channel', `"${channel}" is not a valid channel name`)
    filter.channel = channel
  }
  if (type != null) {
    if (!/^[a-z0-9_.]{1,100}$/.test(type)) throw new ApiError(400, 'bad_type', `"${type}" is not an event type or type prefix`)
    filter.type = type
  }
  return filter
}

export function matches (filter: EventFilter, observed: ObservedEvent): boolean {
  const e = observed.event
  if (filter.community != null && e.community !== filter.community) return false
  if (filter.channel != null && e.channel !== filter.channel) return false
  if (filter.type != null && (filter.type.endsWith('.') ? !e.type.startsWith(filter.type) : e.type !== filter.type)) return false
  return true
}

/**
 * `WS /v1/events`: every event the node posts, receives or exchanges, as one JSON
 * text frame each (`{ origin, event }`), filtered by `community`, `channel` and `type`.
 */
export class EventStream {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // a client that offers subprotocols (a browser sending its token as one) is answered `oa-events`
    handleProtocols: (offered: Set<string>) => offered.has(EVENTS_SUBPROTOCOL) ? EVENTS_SUBPROTOCOL : false
  })
  private readonly node: OaNode

  constructor (node: OaNode) {
    this.node = node
  }

  /** Completes an authenticated upgrade of `/v1/events`. */
  upgrade (req: IncomingMessage, socket: Duplex, head: Buffer, filter: EventFilter): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => { this.serve(ws, filter) })
  }

  private serve (ws: WebSocket, filter: EventFilter): void {
    const channels = this.node.libp2p.services.channels
    const onEvent = (evt: CustomEvent<ObservedEvent>): void => {
      if (!matches(filter, evt.detail)) return
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(1013, 'client too slow')
        return
      }
      ws.send(JSON.stringify(evt.detail))
    }
    channels.addEventListener('event', onEvent)
    ws.on('close', () => { channels.removeEventListener('event', onEvent) })
    ws.on('error', () => { ws.terminate() })
    // the stream is one-way: whatever a client sends is ignored
  }

  close (): void {
    for (const client of this.wss.clients) client.terminate()
    this.wss.close()
  }
}

/** Refuses an upgrade with an HTTP status and a JSON error. */
export function refuseUpgrade (socket: Duplex, err: ApiError): void {
  const body = JSON.stringify({ error: { code: err.code, message: err.message } })
  socket.end(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}
