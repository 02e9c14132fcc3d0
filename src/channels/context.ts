import type { CommunityMembership } from '../communities/access.js'
import type { NodeConfig } from '../config/schema.js'
import type { EventJson } from '../events/json.js'
import type { EventCatalog } from '../events/registry.js'
import type { ReplayCache } from '../events/replay-cache.js'
import type { EnvelopeRejectedError } from '../events/validate.js'
import type { HistoryStore } from './history-store.js'
import type { Envelope } from '../wire/generated/event.js'
import type { PeerPenalties } from './penalties.js'
import type { NodeLimits } from '../limits/node-limits.js'
import type { InboundPath, RejectionCounter } from './rejections.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

/** Channel settings, as in the `channels` section of the node config. */
export type ChannelSettings = NodeConfig['channels']

export interface ChannelsComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  pubsub: GossipSub
  /** Who may read and write each community, and how private content is sealed. */
  communities: CommunityMembership
}

/** Where an event a node observed came from. */
export type EventOrigin = 'local' | 'gossip' | 'history' | 'direct'

/** An event this node posted, received or answered, as the API and agents see it. */
export interface ObservedEvent {
  event: EventJson
  origin: EventOrigin
}

/** What the parts of the channels service share. */
export interface ChannelsContext {
  components: ChannelsComponents
  settings: ChannelSettings
  log: Logger
  store: HistoryStore
  replay: ReplayCache
  penalties: PeerPenalties
  limits: NodeLimits
  /** The node's event types. */
  events: EventCatalog
  rejections: RejectionCounter
  isMember: (community: string) => boolean
  observe: (event: ObservedEvent) => void
  /** The form an envelope travels in: sealed when its community is private. */
  wireForm: (envelope: Envelope) => Envelope
  rejected: (err: EnvelopeRejectedError, path: InboundPath, peer?: string) => void
  /** The rule a mod added for an envelope's type (`Channels.addRule`): why it is refused, or undefined. */
  admit: (envelope: Envelope) => string | undefined
}

/** A mod's own check of an inbound envelope of one of its types: why it is refused, or undefined to accept it. */
export type EnvelopeRule = (envelope: Envelope) => string | undefined
