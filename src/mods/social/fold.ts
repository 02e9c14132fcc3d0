import { z } from 'zod'
import { EventTypes } from '../../events/types.js'
import { endorsementPayload, ENDORSEMENT_ADD, ENDORSEMENT_REMOVE, FORUM_COMMENT_POST, FORUM_TOPIC_CREATE, FORUM_VOTE_CAST, selfEndorsement } from './events.js'
import { byCodeUnits } from '../../runtime/code-unit-order.js'
import type { EventJson } from '../../events/json.js'

/** The kinds of edge of the relationship graph. */
export const EDGE_KINDS = ['asked', 'answered', 'replied', 'routed', 'routed_answered', 'endorsed', 'voted_up', 'voted_down'] as const
export type EdgeKind = typeof EDGE_KINDS[number]

/** One edge of the graph: every interaction of one kind from one agent to another (and, for endorsements, one capability). */
export interface SocialEdge {
  from: string
  to: string
  kind: EdgeKind
  capability?: string
  count: number
}

/** The relationship graph of one community as this node holds it. */
export interface SocialGraph {
  community: string
  /** Every agent that appears in an edge, sorted. */
  agents: string[]
  /** Sorted by from, to, kind, capability. */
  edges: SocialEdge[]
}

/** An endorsement in force: the latest event of its (endorser, agent, capability) added it. */
export interface Endorsement {
  endorser: string
  agent: string
  capability: string
  timestamp: number
  id: string
}

/** A vote on an item whose author the fold knows. */
export interface ResolvedVote {
  voter: string
  target: string
  author: string
  vote: 'up' | 'down'
  timestamp: number
  id: string
}

/** Why the fold passed over an event it reads. */
export type IgnoredReason = 'payload' | 'self_endorsement'

const forumVote = z.object({ target: z.string().length(26), vote: z.enum(['up', 'down', 'none']) })
const forumTopic = z.object({ title: z.string().min(1).max(300) })
const forumComment = z.object({ topic: z.string().min(1).max(64), parent: z.string().max(64).optional(), body: z.string() })
const routingMeta = z.object({
  routing: z.array(z.object({ expert: z.string().max(64), id: z.string().max(200) })).max(20),
  answered: z.array(z.object({ expert: z.string().max(64), id: z.string().max(200).optional() })).max(20).optional()
})

interface Latest { timestamp: number, id: string }
const later = (a: Latest, b: Latest | undefined): boolean => b == null || a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.id > b.id)
const peerOf = (agent: string): string => agent.slice(agent.lastIndexOf('@') + 1)

/**
 * The social state of one community, folded from signed events in any order and any
 * number of times: each input is kept by its envelope id, the latest endorsement or vote
 * of one author on one thing (by timestamp, then id) wins, and every view is worked out
 * from the inputs held when it is asked for. Two folds fed the same events in any
 * interleaving, with duplicates, give the same graph and the same trust inputs.
 *
 * @example
 * ```ts
 * const fold = new SocialFold('devsupport')
 * for (const event of channels.list('devsupport', 'social', { limit: 1000 })) fold.add(event)
 * fold.graph().edges   // [{ from: 'alice@12D3KooW...', to: 'milvus_expert@12D3KooW...', kind: 'endorsed', capability: 'milvus', count: 1 }]
 * ```
 */
export class SocialFold {
  readonly community: string
  private readonly seen = new Set<string>()
  private readonly endorsements = new Map<string, Endorsement & { added: boolean }>()
  private readonly votes = new Map<string, { voter: string, target: string, vote: 'up' | 'down' | 'none', timestamp: number, id: string }>()
  /** Authors of the items replies and votes point at: channel messages, forum topics and comments. */
  private readonly authors = new Map<string, string>()
  private readonly replies = new Map<string, { author: string, parent: string }>()
  private readonly routes = new Map<string, { coordinator: string, routed: string[], answered: string[] }>()
  private readonly asked = new Map<string, { from: string, to: string }>()
  private readonly answered = new Map<string, { from: string, to: string }>()
  private readonly ignoredCounts: Record<IgnoredReason, number> = { payload: 0, self_endorsement: 0 }
  /** Changes whenever an input trust reads is taken (endorsements, votes, the authors of voted items), so rankings can be cached. */
  trustVersion = 0
  private readonly voted = new Set<string>()

  constructor (community: string) {
    this.community = community
  }

  /** Folds one event of the community; returns false when it was held already, is of another community, or is not one the fold reads. */
  add (event: EventJson): boolean {
    if (event.community !== this.community || this.seen.has(event.id)) return false
    const taken = this.take(event)
    if (taken) this.seen.add(event.id)
    return taken
  }

  /** Events passed over, by reason (malformed payloads of types the pipeline of this node does not check, self-endorsements). */
  ignored (): Record<IgnoredReason, number> {
    return { ...this.ignoredCounts }
  }

  private ignore (reason: IgnoredReason, event: EventJson): boolean {
    // counted once per envelope: a copy of an ignored event is not a second refusal
    this.seen.add(event.id)
    this.ignoredCounts[reason]++
    return false
  }

  private take (event: EventJson): boolean {
    switch (event.type) {
      case ENDORSEMENT_ADD:
      case ENDORSEMENT_REMOVE: return this.takeEndorsement(event)
      case FORUM_VOTE_CAST: return this.takeVote(event)
      case FORUM_COMMENT_POST: {
        if (!forumComment.safeParse(event.payload).success) return this.ignore('payload', event)
        this.authorOf(event)
        return true
      }
      case FORUM_TOPIC_CREATE: {
        if (!forumTopic.safeParse(event.payload).success) return this.ignore('payload', event)
        this.authorOf(event)
        return true
      }
      case EventTypes.CHANNEL_MESSAGE_POST:
      case EventTypes.CHANNEL_MESSAGE_REPLY: return this.takeMessage(event)
      case EventTypes.DIRECT_REQUEST_SEND: {
        if (event.target == null) return false
        this.asked.set(event.id, { from: event.source, to: event.target })
        return true
      }
      case EventTypes.DIRECT_RESPONSE_SEND: {
        if (event.target == null) return false
        this.answered.set(event.id, { from: event.source, to: event.target })
        return true
      }
      default: return false
    }
  }

  private takeEndorsement (event: EventJson): boolean {
    const parsed = endorsementPayload.safeParse(event.payload)
    if (!parsed.success) return this.ignore('payload', event)
    if (selfEndorsement(event) != null) return this.ignore('self_endorsement', event)
    const { agent, capability } = parsed.data
    const key = `${event.source}\n${agent}\n${capability}`
    if (later(event, this.endorsements.get(key))) {
      this.endorsements.set(key, { endorser: event.source, agent, capability, timestamp: event.timestamp, id: event.id, added: event.type === ENDORSEMENT_ADD })
      this.trustVersion++
    }
    return true
  }

  private takeVote (event: EventJson): boolean {
    const parsed = forumVote.safeParse(event.payload)
    if (!parsed.success) return this.ignore('payload', event)
    const key = `${event.source}\n${parsed.data.target}`
    if (later(event, this.votes.get(key))) {
      this.votes.set(key, { voter: event.source, target: parsed.data.target, vote: parsed.data.vote, timestamp: event.timestamp, id: event.id })
      this.voted.add(parsed.data.target)
      this.trustVersion++
    }
    return true
  }

  /** Keeps the author of an item replies and votes may point at. */
  private authorOf (event: EventJson): void {
    this.authors.set(event.id, event.source)
    if (this.voted.has(event.id)) this.trustVersion++
  }

  private takeMessage (event: EventJson): boolean {
    this.authorOf(event)
    if (event.type === EventTypes.CHANNEL_MESSAGE_REPLY && event.replyTo != null) this.replies.set(event.id, { author: event.source, parent: event.replyTo })
    const metadata = (event.payload as { metadata?: unknown } | null)?.metadata
    const routing = routingMeta.safeParse(metadata)
    if (routing.success && routing.data.routing.length > 0) {
      const ids = new Map(routing.data.routing.map(r => [r.expert, r.id]))
      const answered = (routing.data.answered ?? []).map(a => a.id ?? ids.get(a.expert)).filter((id): id is string => id != null)
      this.routes.set(event.id, { coordinator: event.source, routed: routing.data.routing.map(r => r.id), answered })
    }
    return true
  }

  /** The endorsements in force, sorted by endorser, agent, capability. */
  activeEndorsements (): Endorsement[] {
    return [...this.endorsements.values()].filter(e => e.added)
      .map(({ added: _added, ...e }) => e)
      .sort((a, b) => cmp(a.endorser, b.endorser) || cmp(a.agent, b.agent) || cmp(a.capability, b.capability))
  }

  /** The latest up or down vote of each voter on each item whose author is held; sorted by voter, target. */
  resolvedVotes (): ResolvedVote[] {
    const out: ResolvedVote[] = []
    for (const v of this.votes.values()) {
      const author = this.authors.get(v.target)
      if (author == null || v.vote === 'none') continue
      out.push({ voter: v.voter, target: v.target, author, vote: v.vote, timestamp: v.timestamp, id: v.id })
    }
    return out.sort((a, b) => cmp(a.voter, b.voter) || cmp(a.target, b.target))
  }

  /** The relationship graph: every interaction held, by kind, between agents. */
  graph (): SocialGraph {
    const edges = new Map<string, SocialEdge>()
    const add = (from: string, to: string, kind: EdgeKind, capability?: string): void => {
      if (from === to) return
      const key = `${from}\n${to}\n${kind}\n${capability ?? ''}`
      const edge = edges.get(key)
      if (edge != null) edge.count++
      else edges.set(key, { from, to, kind, ...(capability == null ? {} : { capability }), count: 1 })
    }
    for (const { from, to } of this.asked.values()) add(from, to, 'asked')
    for (const { from, to } of this.answered.values()) add(from, to, 'answered')
    for (const { author, parent } of this.replies.values()) {
      const to = this.authors.get(parent)
      if (to != null) add(author, to, 'replied')
    }
    for (const { coordinator, routed, answered } of this.routes.values()) {
      for (const id of new Set(routed)) add(coordinator, id, 'routed')
      for (const id of new Set(answered)) add(id, coordinator, 'routed_answered')
    }
    for (const e of this.activeEndorsements()) add(e.endorser, e.agent, 'endorsed', e.capability)
    for (const v of this.resolvedVotes()) add(v.voter, v.author, v.vote === 'up' ? 'voted_up' : 'voted_down')
    const sorted = [...edges.values()].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.kind, b.kind) || cmp(a.capability ?? '', b.capability ?? ''))
    const agents = [...new Set(sorted.flatMap(e => [e.from, e.to]))].sort(cmp)
    return { community: this.community, agents, edges: sorted }
  }

  /** How much the fold holds. */
  size (): { endorsements: number, votes: number, interactions: number } {
    return { endorsements: this.activeEndorsements().length, votes: this.resolvedVotes().length, interactions: this.asked.size + this.answered.size + this.replies.size + this.routes.size }
  }
}

/** Code-unit order, the same on every machine (see byCodeUnits). */
export const cmp = byCodeUnits

export { peerOf }
