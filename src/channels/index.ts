/**
 * The channels service: community channels over gossipsub, on-disk history with
 * backfill from peers, and direct agent-to-agent requests, with every inbound envelope
 * validated.
 *
 * @example
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { channels } from 'oa-node'
 *
 * const node = await createLibp2p({ services: { pubsub: gossipsub(), channels: channels({ dataDir, communities: ['devsupport'], settings }) } })
 * node.services.channels.addEventListener('event', (evt) => console.log(evt.detail.event.payload))
 * await node.services.channels.post({ community: 'devsupport', channel: 'general', text: 'hello' })
 * ```
 */
import { Channels } from './channels.js'
import type { ChannelsInit } from './channels.js'
import type { ChannelsComponents } from './context.js'

export { Channels }
export type { ChannelsInit, ChannelsEvents, PostInit, ReplyInit, ReactInit, ListInit } from './channels.js'
export type { ChannelsComponents, ChannelSettings, ObservedEvent, EventOrigin } from './context.js'
export type { DirectHandler, DirectRequest, DirectReply, SendDirectOptions } from './direct.js'
export { DirectError, UnreachableError, DirectTimeoutError, RejectedError, LimitedError, NoSuchAgentError, ChannelInputError } from './errors.js'
export { HistoryStore, HistoryStoreError } from './history-store.js'
export type { PostLog, PostedEntry } from './post-log.js'
export { PeerPenalties } from './penalties.js'
export type { RejectionCounts, InboundPath } from './rejections.js'

export function channels (init: ChannelsInit): (components: ChannelsComponents) => Channels {
  return (components) => new Channels(components, init)
}
