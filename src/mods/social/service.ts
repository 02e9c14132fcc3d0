import { RejectionCounter } from '../../counts/rejection-counter.js'
import { parseAgentId } from '../../events/types.js'
import { CAPABILITY, ENDORSEMENT_ADD, ENDORSEMENT_REMOVE, SOCIAL_CHANNEL } from './events.js'
import { SOCIAL_REFUSALS, SocialError } from './errors.js'
import { ExchangeStore } from './exchange-store.js'
import { SocialFold } from './fold.js'
import { computeTrust } from './trust.js'
import type { EventJson } from '../../events/json.js'
import type { SocialRefusal } from './errors.js'
import type { Endorsement, IgnoredReason, SocialGraph } from './fold.js'
import type { TrustParams, TrustScore } from './trust.js'
import type { Channels } from '../../channels/channels.js'
import type { ObservedEvent } from '../../channels/context.js'
import type { CommunityMembership } from '../../communities/access.js'
import type { RejectionCounts } from '../../counts/rejection-counter.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'

export interface SocialInit {
  /** `social.db` in the data dir: the direct exchanges, which no history keeps. */
  path: string
  params: TrustParams
}

export interface SocialComponents {
  peerId: PeerId
  logger: ComponentLogger
  channels: Channels
  communities: CommunityMembership
}

/** The social section of `GET /v1/status`. */
export interface SocialStatus {
  communities: Record<string, { agents: number, edges: number, endorsements: number, votes: number, interactions: number }>
  /** Requests this node's API and agents made that the mod refused, by reason. */
  refused: RejectionCounts<SocialRefusal, never>
  /** Events held in history or received that the fold passed over, by reason (the envelope pipeline counts what it refuses under `rejected`). */
  ignored: Record<IgnoredReason, number>
}

/** Rankings kept between changes of a community's fold (one per community and capability asked for). */
const TRUST_CACHE_SIZE = 256

/** Messages read from a channel's history per page, when a community's fold is built. */
const HISTORY_PAGE = 1000

/** What the social mod reads of the forum service. */
interface ForumOperations extends EventTarget {
  operationEvents: (community: string) => EventJson[]
}

/**
 * The social service: folds, per community, the interactions this node sees on the
 * channels mod's `event` stream (direct exchanges, replies, coordinator dispatches,
 * forum votes, endorsements) into a relationship graph, computes trust from it, and
 * publishes endorsements on the community's `social` channel, where the channels
 * pipeline signs, seals (private communities) and checks them, gossip replicates them
 * and history backfills them to late joiners.
 *
 * @example
 * ```ts
 * const social = node.service<SocialService>('social')!
 * await social.endorse('devsupport', 'milvus_expert@12D3KooW...', 'milvus')
 * social.trust('devsupport', 'milvus')[0]   // { agent: 'milvus_expert@12D3KooW...', relative: 1, ... }
 * ```
 */
export class SocialService implements Startable {
  private readonly components: SocialComponents
  private readonly init: SocialInit
  private store?: ExchangeStore
  private readonly log: Logger
  private readonly folds = new Map<string, SocialFold>()
  private readonly trustCache = new Map<string, { version: number, scores: TrustScore[] }>()
  private readonly refusals = new RejectionCounter<SocialRefusal>(SOCIAL_REFUSALS)
  private started = false

  constructor (components: SocialComponents, init: SocialInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:social')
  }

  readonly [Symbol.toStringTag] = 'oa:social'

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    this.store = ExchangeStore.open(this.init.path)
  }

  /**
   * The forum service, when the forum mod runs: its `forum.db` keeps every forum
   * operation without retention, so votes count in trust after channel history has
   * pruned them, and operations caught up over the forum's own protocol count too.
   */
  private forum (): ForumOperations | undefined {
    let forum: unknown
    try {
      forum = (this.components as unknown as Record<string, unknown>).forum
    } catch {
      return undefined
    }
    return forum instanceof EventTarget && typeof (forum as Partial<ForumOperations>).operationEvents === 'function' ? forum as unknown as ForumOperations : undefined
  }

  /** Follows the channels mod (started by now) and folds what its history holds for each joined community. */
  afterStart (): void {
    const channels = this.components.channels
    channels.addEventListener('event', this.onEvent)
    channels.addEventListener('membership', this.onMembership)
    this.forum()?.addEventListener('operation', this.onForumOperation)
    this.started = true
    for (const community of channels.communities()) this.onMembership(new CustomEvent('membership', { detail: { community, joined: true } }))
  }

  beforeStop (): void {
    this.forum()?.removeEventListener('operation', this.onForumOperation)
    this.components.channels.removeEventListener('event', this.onEvent)
    this.components.channels.removeEventListener('membership', this.onMembership)
    this.started = false
  }

  stop (): void {
    this.folds.clear()
    this.trustCache.clear()
    this.store?.close()
    this.store = undefined
  }

  /**
   * Endorses an agent for a capability, as `by` (an agent of this node; default `user`).
   * The latest endorsement or withdrawal of one (endorser, agent, capability) counts.
   *
   * @example
   * ```ts
   * await social.endorse('devsupport', 'milvus_expert@12D3KooW...', 'milvus', 'alice')
   * ```
   */
  async endorse (community: string, agent: string, capability: string, by = 'user'): Promise<Endorsement> {
    return this.publish(ENDORSEMENT_ADD, community, agent, capability, by)
  }

  /**
   * Withdraws an endorsement (a no-op on trust when there was none).
   *
   * @example
   * ```ts
   * await social.unendorse('devsupport', 'milvus_expert@12D3KooW...', 'milvus')
   * ```
   */
  async unendorse (community: string, agent: string, capability: string, by = 'user'): Promise<Endorsement> {
    return this.publish(ENDORSEMENT_REMOVE, community, agent, capability, by)
  }

  /**
   * The community's relationship graph as this node holds it.
   *
   * @example
   * ```ts
   * social.graph('devsupport').edges.filter(e => e.kind === 'asked')
   * ```
   */
  graph (community: string): SocialGraph {
    return this.fold(community).graph()
  }

  /**
   * The endorsements in force in a community.
   *
   * @example
   * ```ts
   * social.endorsements('devsupport').filter(e => e.capability === 'milvus')
   * ```
   */
  endorsements (community: string): Endorsement[] {
    return this.fold(community).activeEndorsements()
  }

  /**
   * Agents ranked by trust for a capability (or over every capability when none is
   * given), most trusted first; the same on every node holding the same events.
   *
   * @example
   * ```ts
   * social.trust('devsupport', 'milvus').map(t => `${t.agent} ${t.relative.toFixed(2)}`)
   * ```
   */
  trust (community: string, capability?: string): TrustScore[] {
    const fold = this.fold(community)
    const wanted = capability == null ? undefined : this.capability(capability)
    const key = `${community}\n${wanted ?? ''}`
    const cached = this.trustCache.get(key)
    if (cached?.version === fold.trustVersion) return cached.scores
    const scores = computeTrust({ endorsements: fold.activeEndorsements(), votes: fold.resolvedVotes() }, wanted, this.init.params)
    // rankings asked for many capabilities are computed again rather than held without bound
    if (this.trustCache.size >= TRUST_CACHE_SIZE) this.trustCache.delete(this.trustCache.keys().next().value ?? '')
    this.trustCache.set(key, { version: fold.trustVersion, scores })
    return scores
  }

  status (): SocialStatus {
    const communities: SocialStatus['communities'] = {}
    const ignored: Record<IgnoredReason, number> = { payload: 0, self_endorsement: 0 }
    for (const [name, fold] of [...this.folds].sort(([a], [b]) => a < b ? -1 : 1)) {
      const graph = fold.graph()
      communities[name] = { agents: graph.agents.length, edges: graph.edges.length, ...fold.size() }
      for (const [reason, n] of Object.entries(fold.ignored()) as Array<[IgnoredReason, number]>) ignored[reason] += n
    }
    return { communities, refused: this.refusals.snapshot(), ignored }
  }

  private refuse (code: SocialRefusal, message: string): never {
    this.refusals.add(code)
    throw new SocialError(code, message)
  }

  private capability (capability: string): string {
    const normal = capability.trim().toLowerCase()
    if (!CAPABILITY.test(normal)) this.refuse('bad_capability', `"${capability.slice(0, 80)}" is not a capability (1-64 characters of a-z, 0-9, space and _.+#/-)`)
    return normal
  }

  private fold (community: string): SocialFold {
    if (!this.components.channels.communities().includes(community)) this.refuse('not_member', `this node has not joined community "${community.slice(0, 64)}"`)
    return this.folds.get(community) ?? this.open(community)
  }

  private async publish (type: string, community: string, agent: string, capability: string, by: string): Promise<Endorsement> {
    const fold = this.fold(community)
    const wanted = this.capability(capability)
    let target
    try {
      target = parseAgentId(agent)
    } catch (err) {
      this.refuse('bad_agent', (err as Error).message)
    }
    const self = `${by}@${this.components.peerId.toString()}`
    if (agent === self) this.refuse('self_endorsement', `${self} may not endorse itself`)
    // in a private community, only a member's agents can be endorsed
    if (!this.components.communities.mayRead(community, target.peerId.toString())) this.refuse('not_member', `${target.peerId.toString()} is not a member of ${community}`)
    const event = await this.components.channels.publish({ community, channel: SOCIAL_CHANNEL, type, payload: { agent, capability: wanted }, agent: by })
    fold.add(event)
    return { endorser: event.source, agent, capability: wanted, timestamp: event.timestamp, id: event.id }
  }

  /** Opens the community's social channel (which backfills it from peers) and folds the exchanges kept and every channel of it this node holds. */
  private open (community: string): SocialFold {
    const channels = this.components.channels
    const fold = this.folds.get(community) ?? new SocialFold(community)
    this.folds.set(community, fold)
    channels.openChannel(community, SOCIAL_CHANNEL)
    for (const event of this.store?.list(community) ?? []) fold.add(event)
    try {
      for (const event of this.forum()?.operationEvents(community) ?? []) fold.add(event)
    } catch (err) {
      // the forum has not joined the community yet: its operations arrive as events
      this.log('forum operations of %s not folded: %s', community, (err as Error).message)
    }
    for (const channel of Object.keys(channels.stored(community)).sort()) {
      const read = new Set<string>()
      let before: number | undefined
      for (;;) {
        const page = channels.list(community, channel, { limit: HISTORY_PAGE, ...(before == null ? {} : { before }) })
        let fresh = 0
        for (const event of page) {
          if (read.has(event.id)) continue
          read.add(event.id)
          fresh++
          fold.add(event)
        }
        const oldest = page[0]
        if (page.length < HISTORY_PAGE || oldest == null || fresh === 0) break
        // messages of the oldest millisecond may straddle pages: ask again from it, the fold skips what it holds
        before = oldest.timestamp + 1
      }
    }
    this.log('folded %s: %o', community, fold.size())
    return fold
  }

  private readonly onForumOperation = (evt: Event): void => {
    if (!this.started) return
    const { event } = (evt as CustomEvent<{ event: EventJson }>).detail
    this.folds.get(event.community)?.add(event)
  }

  private readonly onEvent = (evt: CustomEvent<ObservedEvent>): void => {
    const { event } = evt.detail
    if (!this.started) return
    const fold = this.folds.get(event.community)
    if (fold == null) return
    fold.add(event)
    try {
      this.store?.add(event)
    } catch (err) {
      // a listener that throws would take the node down: the exchange is shown until the next restart
      this.log.error('cannot keep direct exchange %s: %s', event.id, (err as Error).message)
    }
  }

  private readonly onMembership = (evt: CustomEvent<{ community: string, joined: boolean }>): void => {
    if (!evt.detail.joined) {
      this.folds.delete(evt.detail.community)
      return
    }
    if (!this.started) return
    try {
      this.open(evt.detail.community)
    } catch (err) {
      // folded on first use instead (graph, trust, endorse)
      this.log.error('cannot fold %s: %s', evt.detail.community, (err as Error).message)
    }
  }
}
