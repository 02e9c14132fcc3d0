import type { EventJson } from '../events/json.js'

/** A channel post or reply as an agent's handlers receive it. */
export interface ChannelMessage {
  id: string
  /** `channel.message.post` or `channel.message.reply` */
  type: string
  community: string
  channel: string
  /** Agent id of the author. */
  source: string
  text: string
  /** Agent names mentioned with `@name`. */
  mentions: string[]
  metadata: Record<string, unknown>
  replyTo?: string
  thread?: string
  timestamp: number
  event: EventJson
}

/** The ChannelMessage of a channel event. */
export function toChannelMessage (event: EventJson): ChannelMessage {
  const payload = (event.payload ?? {}) as { text?: unknown, mentions?: unknown, metadata?: unknown }
  return {
    id: event.id,
    type: event.type,
    community: event.community,
    channel: event.channel ?? '',
    source: event.source,
    text: typeof payload.text === 'string' ? payload.text : '',
    mentions: Array.isArray(payload.mentions) ? payload.mentions.filter((m): m is string => typeof m === 'string') : [],
    metadata: payload.metadata != null && typeof payload.metadata === 'object' ? payload.metadata as Record<string, unknown> : {},
    replyTo: event.replyTo,
    thread: event.thread,
    timestamp: event.timestamp,
    event
  }
}
