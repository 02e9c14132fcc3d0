import { join } from 'node:path'
import { TypedEventEmitter } from '@libp2p/interface'
import { allows } from '../../communities/access.js'
import { envelopeToJson } from '../../events/json.js'
import { channelTopic } from '../../wire/topics.js'
import { RejectionCounter } from '../../counts/rejection-counter.js'
import { REJECT_REASONS } from '../../events/validate.js'
import { WIKI_PAGE } from '../../memory/kinds.js'
import { WikiError } from './errors.js'
import { PAGE_CREATE, PAGE_EDIT, PAGE_PROTECT, PROPOSAL_ACCEPT, PROPOSAL_REJECT, PROPOSAL_SUBMIT, WIKI_CHANNEL, WIKI_TYPES } from './events.js'
import { WikiFold } from './fold.js'
import { toWikiOp } from './operation.js'
import { OperationStore } from '../oplog/store.js'
import { OperationSync } from '../oplog/sync.js'
import { WIKI_KIND } from './events.js'
import { titleOf } from './views.js'
import type { PageState, Proposal, WikiRefusal } from './page-fold.js'
import type { Channels } from '../../channels/channels.js'
import type { ObservedEvent } from '../../channels/context.js'
import type { PeerPenalties } from '../../channels/penalties.js'
import type { CommunityMembership } from '../../communities/access.js'
import type { EventCatalog } from '../../events/registry.js'
import type { EnvelopeRejectedError, RejectReason } from '../../events/validate.js'
import type { NodeLimits } from '../../limits/node-limits.js'
import type { Memory } from '../../memory/service.js'
import type { Envelope } from '../../wire/generated/event.js'
import type { GossipSub, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface WikiComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  pubsub: GossipSub
  communities: CommunityMembership
  channels: Channels
  /** Absent when the memory mod is off: pages are then not written to memory. */
  memory?: Memory
}

export interface WikiInit {
  dataDir: string
  events: EventCatalog
  limits: NodeLimits
  penalties: PeerPenalties
  maxMessageBytes: number
  maxClockSkewMs: number
  /** Longest memory record text: a page's record holds its head's body up to it. */
  maxRecordBytes: number
}

/** A proposal arrived for a page this node owns (live, not caught up from history). */
export interface WikiProposalEvent {
  community: string
  slug: string
  proposal: Proposal
}

export interface WikiEvents {
  proposal: CustomEvent<WikiProposalEvent>
}

const FOLD_REASONS = ['owner', 'locked', 'slug_taken'] as const satisfies readonly WikiRefusal[]
const REFUSAL_TEXT: Record<WikiRefusal, string> = {
  owner: 'only the page\'s owner (its creator\'s node, or an admin of a private community) changes it directly; others submit a proposal',
  locked: 'the page is locked: its owner refuses proposals',
  slug_taken: 'the page exists already (an earlier creation holds the slug)'
}

/**
 * The network side of the wiki: every operation of the joined communities, received by
 * gossip (the channels mod's `wiki` channel, sealed in private communities), made
 * locally, or caught up in full over `/oa/wiki/1.0.0`; kept in `wiki.db` without
 * retention and folded per community. It adds the wire rule that refuses a change its
 * author may not make (`rule`), counts what the fold refuses, keeps each owned page's
 * memory record at its head, and announces live proposals for owned pages.
 */
export class WikiReplica extends TypedEventEmitter<WikiEvents> implements Startable {
  protected readonly components: WikiComponents
  protected readonly init: WikiInit
  private readonly log: Logger
  protected readonly folds = new Map<string, WikiFold>()
  protected readonly rejections = new RejectionCounter<RejectReason | typeof FOLD_REASONS[number], 'sync' | 'fold'>([...REJECT_REASONS, ...FOLD_REASONS], ['sync', 'fold'])
  private readonly counted = new Set<string>()
  private readonly synced = new Set<string>()
  /** The head each owned page's memory record holds, by `<community>|<slug>`. */
  private readonly remembered = new Map<string, string>()
  private readonly removeRules: Array<() => void> = []
  private store?: OperationStore
  private sync?: OperationSync
  private started = false

  constructor (components: WikiComponents, init: WikiInit) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:wiki')
  }

  readonly [Symbol.toStringTag] = 'oa:wiki'

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    this.store = OperationStore.open(join(this.init.dataDir, 'wiki.db'))
    this.sync = new OperationSync({
      kind: WIKI_KIND,
      registrar: this.components.registrar,
      connectionManager: this.components.connectionManager,
      communities: this.components.communities,
      channels: this.components.channels,
      events: this.init.events,
      limits: this.init.limits,
      store: () => this.requireStore(),
      maxMessageBytes: this.init.maxMessageBytes,
      maxSkewMs: this.init.maxClockSkewMs,
      log: this.log,
      take: (e) => { this.take(e, 'sync') },
      rejected: (err, peer) => { this.countWire(err, peer) }
    })
    await this.sync.start()
    this.started = true
  }

  afterStart (): void {
    const { channels, pubsub, events } = this.components
    for (const type of [PAGE_CREATE, PAGE_EDIT, PAGE_PROTECT, PROPOSAL_SUBMIT, PROPOSAL_ACCEPT, PROPOSAL_REJECT]) {
      this.removeRules.push(channels.addRule(type, e => this.wireRefusal(e)))
    }
    channels.addEventListener('event', this.onEvent)
    channels.addEventListener('membership', this.onMembership)
    pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    for (const community of channels.communities()) this.open(community)
  }

  beforeStop (): void {
    const { channels, pubsub, events } = this.components
    for (const remove of this.removeRules.splice(0)) remove()
    channels.removeEventListener('event', this.onEvent)
    channels.removeEventListener('membership', this.onMembership)
    pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
  }

  async stop (): Promise<void> {
    this.started = false
    await this.sync?.stop()
    this.store?.close()
  }

  private requireStore (): OperationStore {
    if (this.store == null) throw new WikiError('not_started', 'the wiki service is not started', { status: 503 })
    return this.store
  }

  protected fold (community: string): WikiFold {
    let fold = this.folds.get(community)
    if (fold == null) {
      const access = this.components.communities
      // admins of a private community own every page of it
      fold = new WikiFold((peer, at) => access.isPrivate(community) && allows(access, 'admin', community, peer, at))
      this.folds.set(community, fold)
    }
    return fold
  }

  /** Opens the wiki channel of a community, folds what the node holds of it and catches up from the peers on it. */
  private open (community: string): void {
    const fold = this.fold(community)
    for (const envelope of this.requireStore().list(community)) {
      const op = toWikiOp(envelopeToJson(envelope))
      if (op != null) fold.add(op)
    }
    for (const page of fold.pages()) this.settle(community, page)
    this.components.channels.openChannel(community, WIKI_CHANNEL)
    for (const peer of this.components.pubsub.getSubscribers(this.topic(community))) this.catchUp(peer, community)
  }

  private topic (community: string): string {
    return channelTopic(this.components.communities.wireName(community), WIKI_CHANNEL)
  }

  private catchUp (peer: PeerId, community: string): void {
    const key = `${peer.toString()}|${community}`
    if (this.synced.has(key) || this.sync == null) return
    this.synced.add(key)
    this.sync.fetch(peer, community).then((added) => {
      if (added > 0) this.log('caught up %d wiki operations of %s from %p', added, community, peer)
    }, (err: unknown) => {
      this.synced.delete(key)
      this.log('wiki catch-up of %s from %p failed: %s', community, peer, (err as Error).message)
    })
  }

  /** Is this node the page's owner: its creator's node, or an admin of its private community? */
  protected mayOwn (community: string, page: PageState): boolean {
    const self = this.components.peerId.toString()
    const access = this.components.communities
    return page.ownerPeer === self || (access.isPrivate(community) && allows(access, 'admin', community, self))
  }

  /** Why the wiki refuses an inbound operation given what it holds, or undefined (an operation on a page not held yet is held, then checked). */
  private wireRefusal (envelope: Envelope): string | undefined {
    const op = toWikiOp(envelopeToJson(envelope))
    if (op == null) return undefined
    const why = this.folds.get(envelope.community)?.refusal(op)
    return why == null ? undefined : `${op.type} on page ${op.slug}: ${REFUSAL_TEXT[why]}`
  }

  /** Takes an operation in the clear: stores it, folds it, settles the page. */
  protected take (envelope: Envelope, origin: string): void {
    const op = toWikiOp(envelopeToJson(envelope))
    if (op == null) return
    const fold = this.fold(envelope.community)
    if (fold.has(op.id)) return
    this.requireStore().add(envelope)
    fold.add(op)
    const page = fold.page(op.slug)
    if (page == null) return
    this.settle(envelope.community, page)
    const live = origin === 'local' || origin === 'gossip'
    if (live && op.type === PROPOSAL_SUBMIT && this.mayOwn(envelope.community, page)) {
      const proposal = page.proposals.find(p => p.id === op.id)
      if (proposal != null) this.safeDispatchEvent('proposal', { detail: { community: envelope.community, slug: op.slug, proposal } })
    }
  }

  /** Counts the operations the fold refused, once each, and keeps the page's memory record at its head. */
  private settle (community: string, page: PageState): void {
    for (const [id, why] of page.refused) {
      if (this.counted.has(id)) continue
      this.counted.add(id)
      this.rejections.add(why, 'fold')
    }
    if (page.ownerPeer === this.components.peerId.toString()) this.remember(community, page)
  }

  /** The memory service; undefined when the memory mod is off (libp2p's components throw for a missing service). */
  private memory (): Memory | undefined {
    try {
      return this.components.memory
    } catch {
      return undefined
    }
  }

  private remember (community: string, page: PageState): void {
    const memory = this.memory()
    const key = `${community}|${page.slug}`
    if (memory == null || this.remembered.get(key) === page.head.id) return
    this.remembered.set(key, page.head.id)
    const title = titleOf(page.slug, page.head.body)
    const text = Buffer.from(`${title}\n\n${page.head.body}`).subarray(0, this.init.maxRecordBytes).toString().replace(/\uFFFD+$/, '')
    memory.remember(community, {
      id: `wiki:${page.slug}`,
      kind: WIKI_PAGE,
      text,
      metadata: { slug: page.slug, title, revision: page.head.id, number: page.head.number }
    }).catch((err: unknown) => {
      this.remembered.delete(key)
      this.log('page %s of %s not written to memory: %s', page.slug, community, (err as Error).message)
    })
  }

  private countWire (err: EnvelopeRejectedError, peer?: string): void {
    this.rejections.add(err.reason, 'sync')
    if (peer != null) this.init.penalties.penalize(peer)
    this.log('refused wiki operation from %s: %s (%s)', peer ?? '?', err.reason, err.message)
  }

  private readonly onEvent = (evt: CustomEvent<ObservedEvent>): void => {
    const { event, origin } = evt.detail
    if (event.channel !== WIKI_CHANNEL || !WIKI_TYPES.has(event.type)) return
    // the channel history holds the signed envelope the wiki keeps and serves
    const envelope = this.components.channels.envelope(event.id)
    if (envelope == null) {
      this.log('wiki operation %s is not in channel history', event.id)
      return
    }
    // a listener that throws would take the node down: a failure here is this operation's alone
    try {
      this.take(envelope, origin)
    } catch (err) {
      this.log.error('wiki operation %s not taken: %s', event.id, (err as Error).message)
    }
  }

  private readonly onMembership = (evt: CustomEvent<{ community: string, joined: boolean }>): void => {
    if (!evt.detail.joined) return
    try {
      this.open(evt.detail.community)
    } catch (err) {
      this.log.error('wiki of %s not opened: %s', evt.detail.community, (err as Error).message)
    }
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      if (!subscribe) continue
      for (const community of this.components.channels.communities()) {
        if (this.topic(community) === topic) this.catchUp(evt.detail.peerId, community)
      }
    }
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const prefix = `${evt.detail.toString()}|`
    for (const key of this.synced) if (key.startsWith(prefix)) this.synced.delete(key)
  }
}
