/**
 * The JSON the control API answers, as Studio reads it. These mirror the node's own
 * types (src/node/oa-node.ts, src/api/routes/*.ts, src/mods/*), kept here so the page
 * builds without the node's server-side modules.
 */

export interface Counts {
  total: number
  byReason: Record<string, number>
  byPath?: Record<string, Record<string, number> | number>
}

export interface AgentStatus {
  name: string
  id: string
  kind: string
  community: string
  capabilities: string[]
  channels: string[]
  state: 'loading' | 'running' | 'failed' | 'stopped'
  error?: string
  module?: string
  via?: string
}

export interface Status {
  peerId: string
  version: string
  multiaddrs: string[]
  peers: number
  connections: number
  streams: { total: number, byProtocol: Record<string, number> }
  memory: { rssMiB: number, heapTotalMiB: number, heapUsedMiB: number, externalMiB: number }
  uptimeMs: number
  communities: string[]
  channels: Record<string, string[]>
  rejected?: Counts
  limits?: Counts & { openStreams?: Record<string, number> }
  agents?: AgentStatus[]
  llm?: { mode: string }
  dataDir: string
  mods: string[]
  api?: { rejected: Counts }
  [section: string]: unknown
}

export interface PeerInfo {
  peerId: string
  addresses: string[]
  direction: 'inbound' | 'outbound'
  connectedForMs: number
  protocols: string[]
  score?: number
}

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

export interface NetworkPeer {
  peerId: string
  address: string
  addresses: string[]
  direction: 'inbound' | 'outbound'
  relayed: boolean
  latencyMs: number | null
  connectedForMs: number
}

export interface NetworkCommunity {
  name: string
  policy: 'open' | 'private'
  peers: Array<{ peerId: string, member: boolean, role?: string, connected: boolean, subscribed: boolean }>
}

export interface Network {
  peerId: string
  reachability: 'public' | 'private' | 'unknown'
  relayReservations: { held: string[], served: number }
  addresses: Array<{ multiaddr: string, verified: boolean, type?: string }>
  dht: { mode: 'client' | 'server', routingTableSize: number | null }
  peers: NetworkPeer[]
  communities: NetworkCommunity[]
}

export interface Agent {
  name: string
  id: string
  description: string
  community: string
  capabilities: string[]
  channels: string[]
  peerId: string
  multiaddrs: string[]
  protocolVersion: string
  kind: string
  examples: string[]
  online: boolean
  seenAt: number
}

export type EventOrigin = 'local' | 'gossip' | 'history' | 'direct'

export interface OaEvent {
  id: string
  type: string
  community: string
  channel?: string
  source: string
  target?: string
  replyTo?: string
  thread?: string
  timestamp: number
  time: string
  payload: unknown
  ttl?: number
}

/** One frame of `WS /v1/events`. */
export interface ObservedEvent {
  origin: EventOrigin
  event: OaEvent
}

export interface MemoryHit {
  id: string
  community: string
  kind: string
  text: string
  score: number
  scoreKind: string
  similarity?: number
  bm25?: number
  metadata: Record<string, unknown>
  agent: string
  origin: string
  seq: number
  createdAt: number
}

export interface MemoryRecord {
  id: string
  community: string
  kind: string
  agent: string
  origin: string
  seq: number
  text: string
  metadata: Record<string, unknown>
  createdAt: number
}

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

export interface Topic {
  id: string
  community: string
  title: string
  body: string
  tags: string[]
  author: string
  createdAt: number
  editedAt?: number
  deleted: boolean
  score: number
  up: number
  down: number
  comments: number
  activeAt: number
  accepted?: string
}

export interface Comment {
  id: string
  topic: string
  parent?: string
  depth: number
  body: string
  author: string
  createdAt: number
  editedAt?: number
  deleted: boolean
  score: number
  up: number
  down: number
  replies: Comment[]
}

export interface TopicThread {
  topic: Topic
  comments: Comment[]
}

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

export interface WikiProposal {
  id: string
  slug: string
  author: string
  timestamp: number
  parent: string
  body: string
  summary?: string
  status: 'open' | 'accepted' | 'rejected'
  decidedBy?: string
  reason?: string
}

export type WikiEdit = { kind: 'revision', revision: WikiRevision, page: WikiPage } | { kind: 'proposal', proposal: WikiProposal }

export interface SocialEdge {
  from: string
  to: string
  kind: string
  capability?: string
  count: number
}

export interface SocialGraph {
  community: string
  agents: string[]
  edges: SocialEdge[]
}

export interface TrustScore {
  agent: string
  capability?: string
  score: number
  relative: number
  endorsers: number
  votes: number
}

export interface Endorsement {
  endorser: string
  agent: string
  capability: string
  timestamp: number
  id: string
}

export interface ModInfo {
  name: string
  description?: string
  builtin: boolean
  events: Array<{ type: string }>
}
