import { useEffect, useEffectEvent, useState } from 'react'
import type { ObservedEvent } from './types'

/** Filters of `WS /v1/events`: each is sent as a query parameter. */
export interface EventFilter {
  community?: string
  channel?: string
  /** An exact type, or a prefix ending in `.` (`forum.`). */
  type?: string
}

export type SocketState = 'connecting' | 'open' | 'closed'

const SUBPROTOCOL = 'oa-events'
const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 15_000

export function eventsUrl (filter: EventFilter): string {
  const q = new URLSearchParams()
  if (filter.community != null && filter.community !== '') q.set('community', filter.community)
  if (filter.channel != null && filter.channel !== '') q.set('channel', filter.channel)
  if (filter.type != null && filter.type !== '') q.set('type', filter.type)
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  const qs = q.toString()
  return `${scheme}://${window.location.host}/v1/events${qs === '' ? '' : `?${qs}`}`
}

/**
 * Follows `WS /v1/events` with the given filters (null: not now), calling `onEvent` for
 * each frame. The browser sends the session cookie; the socket reconnects with a growing
 * pause after it closes. A change of filter opens a new socket.
 */
export function useEvents (filter: EventFilter | null, onEvent: (event: ObservedEvent) => void): SocketState {
  // the state of the socket of one URL: a new filter's socket is 'connecting' until it opens
  const [current, setCurrent] = useState<{ url: string | null, state: SocketState }>({ url: null, state: 'connecting' })
  const deliver = useEffectEvent((event: ObservedEvent) => { onEvent(event) })
  const url = filter == null ? null : eventsUrl(filter)
  useEffect(() => {
    if (url == null) return
    let socket: WebSocket | undefined
    let retry: ReturnType<typeof setTimeout> | undefined
    let delay = FIRST_RETRY_MS
    let stopped = false
    const setState = (state: SocketState): void => { setCurrent({ url, state }) }
    const connect = (): void => {
      setState('connecting')
      const ws = new WebSocket(url, SUBPROTOCOL)
      socket = ws
      ws.onopen = () => {
        delay = FIRST_RETRY_MS
        setState('open')
      }
      ws.onmessage = (msg: MessageEvent) => {
        if (typeof msg.data !== 'string') return
        try {
          deliver(JSON.parse(msg.data) as ObservedEvent)
        } catch {
          // not a frame of ours: ignored
        }
      }
      ws.onclose = () => {
        if (stopped) return
        setState('closed')
        retry = setTimeout(connect, delay)
        delay = Math.min(delay * 2, MAX_RETRY_MS)
      }
    }
    connect()
    return () => {
      stopped = true
      clearTimeout(retry)
      socket?.close()
    }
  }, [url])
  return current.url === url ? current.state : 'connecting'
}
