/**
 * The JSON the control API answers, as Studio reads it: the node's own types where the
 * server declares them (type imports only, erased from the bundle), and the shapes of
 * answers the server builds inline.
 */

import type { NetworkAnswer, NetworkCommunityJson, NetworkPeerJson } from '../../src/api/routes/network.js'
import type { StatusAnswer } from '../../src/api/server.js'
import type { PeerInfoView } from '../../src/node/oa-node.js'
import type { Proposal } from '../../src/mods/wiki/page-fold.js'
import type { EventJson } from '../../src/events/json.js'
import type { MemoryHit as ServerMemoryHit } from '../../src/memory/hit.js'
import type { StoredRecord } from '../../src/memory/types.js'
import type { DiscoveredAgent } from '../../src/discovery/card.js'
import type { CommentView, TopicThread, TopicView } from '../../src/mods/forum/views.js'

export interface Counts {
  total: number
  byReason: Record<string, number>
  byPath?: Record<string, Record<string, number> | number>
}

export type Status = StatusAnswer

export type PeerInfo = PeerInfoView

export interface Community {
  name: string
  policy: 'open' | 'private'
  id?: string
  role?: string
  epoch?: number
  members?: number
  channels: Array<{ name: string, messages: number }>
}

export interface Member {
  peerId: string
  role: string
  issuer: string
  issuedAt: number
  expiresAt?: number
}

export type NetworkPeer = NetworkPeerJson

export type NetworkCommunity = NetworkCommunityJson

export type Network = NetworkAnswer

export type Agent = DiscoveredAgent

export type EventOrigin = 'local' | 'gossip' | 'history' | 'direct'

export type OaEvent = EventJson

/** One frame of `WS /v1/events`. */
export interface ObservedEvent {
  origin: EventOrigin
  event: OaEvent
}

export type MemoryHit = ServerMemoryHit

export type MemoryRecord = StoredRecord

export interface MemoryStats {
  community: string
  records: number
  byKind: Record<string, number>
  byOrigin: Record<string, { records: number, highestSeq: number }>
}

export interface ReplicaState { records: number, highestSeq: number, knownSeq: number, lag: number }

/** What `GET /v1/memory` answers (the parts Studio shows). */
export interface MemoryOverview {
  seq?: number
  communities: Record<string, { records?: number, replication?: Record<string, ReplicaState> }>
  [field: string]: unknown
}

export type SearchMode = 'hybrid' | 'vector' | 'text'

export type Topic = TopicView

export type Comment = CommentView

export type { TopicThread }

export type Vote = 'up' | 'down' | 'none'

export interface WikiPageSummary {
  slug: string
  title: string
  owner: string
  protection: 'open' | 'protected' | 'locked'
  revisions: number
  head: string
  updatedAt: number
  conflict: boolean
  openProposals: number
}

export interface WikiRevision {
  number: number
  id: string
  parent?: string
  author: string
  timestamp: number
  kind: 'create' | 'edit' | 'revert' | 'accept'
  body: string
  summary?: string
}

export interface WikiPage extends WikiPageSummary {
  community: string
  revision: WikiRevision
  leaves: string[]
}

/** A proposal as the API answers it: with the slug of its page. */
export type WikiProposal = Proposal & { slug: string }

export type WikiEdit = { kind: 'revision', revision: WikiRevision, page: WikiPage } | { kind: 'proposal', proposal: WikiProposal }

export type { SocialEdge, SocialGraph, Endorsement } from '../../src/mods/social/fold.js'

export type { TrustScore } from '../../src/mods/social/trust.js'

export interface ModInfo {
  name: string
  description?: string
  builtin: boolean
  events: Array<{ type: string }>
}
