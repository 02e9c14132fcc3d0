import type { EventJson } from '../../events/json.js'
import { join } from 'node:path'
import { TypedEventEmitter } from '@libp2p/interface'
import { envelopeToJson } from '../../events/json.js'
import { channelTopic } from '../../wire/topics.js'
import { RejectionCounter } from '../../counts/rejection-counter.js'
import { REJECT_REASONS } from '../../events/validate.js'
import { OaError } from '../../errors.js'
import { OperationStore } from '../oplog/store.js'
import { OperationSync } from '../oplog/sync.js'
import { COMMENT_DELETE, COMMENT_EDIT, COMMENT_POST, FORUM_CHANNEL, FORUM_KIND, FORUM_TYPES, TOPIC_CREATE, TOPIC_DELETE, TOPIC_EDIT } from './events.js'
import { FOLD_REFUSALS, ForumFold } from './fold.js'
import { ForumRecords } from './memory-records.js'
import type { TopicRecord } from './memory-records.js'
import type { FoldRefusal, ForumOp } from './fold.js'
import type { CommentView, TopicView } from './views.js'
import type { Channels } from '../../channels/channels.js'
import type { EventOrigin, ObservedEvent } from '../../channels/context.js'
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

export interface ForumComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  pubsub: GossipSub
  communities: CommunityMembership
  channels: Channels
  /** Absent when the memory mod is off: topics are then not written to memory, and search is off. */
  memory?: Memory
}

export interface ForumInit {
  dataDir: string
  events: EventCatalog
  limits: NodeLimits
  penalties: PeerPenalties
  maxMessageBytes: number
  maxClockSkewMs: number
}

/** A topic or comment arrived live (gossip or this node), as agents are told of it. */
export interface ForumEvents {
  topic: CustomEvent<{ topic: TopicView, origin: EventOrigin }>
  comment: CustomEvent<{ comment: CommentView, community: string, origin: EventOrigin }>
  /** Every operation the node takes, whatever brought it (gossip, local, history, catch-up): the social mod folds votes from these. */
  operation: CustomEvent<{ event: EventJson, origin: EventOrigin }>
}

/** The operations the forum's wire rule checks against what the node holds. */
const RULED = [TOPIC_EDIT, TOPIC_DELETE, COMMENT_EDIT, COMMENT_DELETE, COMMENT_POST]

const REFUSAL_TEXT: Record<FoldRefusal, string> = {
  payload: 'its payload is not a forum operation',
  not_author: 'only its author edits or deletes a topic or comment',
  too_deep: 'comments nest up to 5 levels',
  bad_parent: 'it answers a comment of another topic, or something that is not a comment',
  wrong_target: 'it names a topic as a comment, or a comment as a topic'
}

/** A forum operation as the fold takes it, from a channel event or a kept envelope. */
export function toForumOp (event: Pick<ObservedEvent['event'], 'id' | 'type' | 'community' | 'source' | 'timestamp' | 'payload'>): ForumOp {
  return { id: event.id, type: event.type, community: event.community, source: event.source, timestamp: event.timestamp, payload: event.payload }
}

/**
 * The network side of the forum: every operation of the joined communities, received by
 * gossip (the channels mod's `forum` channel, sealed in private communities), made
 * locally, or caught up in full over `/oa/forum/1.0.0`; kept in `forum.db` without
 * retention and folded per community. It adds the wire rule that refuses an edit or
 * delete by anyone but the item's author (`rule`), counts what the fold refuses, keeps
 * each topic its node's agents wrote as a memory record of kind `forum_post`, and
 * announces live topics and comments.
 */
export class ForumReplica extends TypedEventEmitter<ForumEvents> implements Startable {
  protected readonly components: ForumComponents
  protected readonly init: ForumInit
  protected readonly log: Logger
  protected readonly folds = new Map<string, ForumFold>()
  protected readonly rejections = new RejectionCounter<RejectReason | typeof FOLD_REFUSALS[number], 'sync' | 'fold'>([...REJECT_REASONS, ...FOLD_REFUSALS], ['sync', 'fold'])
  protected records?: ForumRecords
  private readonly counted = new Set<string>()
  /** The accepted answer each topic's memory record holds, by `<community>|<topic>`. */
  private readonly recordedAnswers = new Map<string, string>()
  private readonly synced = new Set<string>()
  private readonly removeRules: Array<() => void> = []
  private store?: OperationStore
  private sync?: OperationSync
  private started = false

  constructor (components: ForumComponents, init: ForumInit) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:forum')
  }

  readonly [Symbol.toStringTag] = 'oa:forum'

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    this.store = OperationStore.open(join(this.init.dataDir, 'forum.db'))
    this.sync = new OperationSync({
      kind: FORUM_KIND,
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
      take: (e) => { this.take(e, 'history') },
      rejected: (err, peer) => { this.countWire(err, peer) }
    })
    await this.sync.start()
    this.started = true
  }

  afterStart (): void {
    const memory = this.memory()
    if (memory != null) this.records = new ForumRecords(memory, (message) => { this.log(message) })
    const { channels, pubsub, events } = this.components
    for (const type of RULED) this.removeRules.push(channels.addRule(type, e => this.wireRefusal(e)))
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
    await this.records?.settled()
    await this.sync?.stop()
    this.store?.close()
  }

  private requireStore (): OperationStore {
    if (this.store == null) throw new OaError('not_started', 'the forum service is not started', { status: 503 })
    return this.store
  }

  /** The memory service; undefined when the memory mod is off (libp2p's components throw for a missing service). */
  private memory (): Memory | undefined {
    try {
      return this.components.memory
    } catch {
      return undefined
    }
  }

  protected fold (community: string): ForumFold {
    let fold = this.folds.get(community)
    if (fold == null) {
      fold = new ForumFold(community)
      this.folds.set(community, fold)
    }
    return fold
  }

  /** Opens the forum channel of a community, folds what the node holds of it and catches up from the peers on it. */
  private open (community: string): void {
    const fold = this.fold(community)
    for (const envelope of this.requireStore().list(community)) fold.add(toForumOp(envelopeToJson(envelope)))
    this.settle(community)
    this.components.channels.openChannel(community, FORUM_CHANNEL)
    for (const peer of this.components.pubsub.getSubscribers(this.topic(community))) this.catchUp(peer, community)
  }

  private topic (community: string): string {
    return channelTopic(this.components.communities.wireName(community), FORUM_CHANNEL)
  }

  private catchUp (peer: PeerId, community: string): void {
    const key = `${peer.toString()}|${community}`
    if (this.synced.has(key) || this.sync == null) return
    this.synced.add(key)
    this.sync.fetch(peer, community).then((added) => {
      if (added > 0) this.log('caught up %d forum operations of %s from %p', added, community, peer)
    }, (err: unknown) => {
      this.synced.delete(key)
      this.log('forum catch-up of %s from %p failed: %s', community, peer, (err as Error).message)
    })
  }

  /** Why an inbound edit, delete or reply is refused given what the node holds (one whose target is not held yet is held, then checked by the fold). */
  private wireRefusal (envelope: Envelope): string | undefined {
    const op = toForumOp(envelopeToJson(envelope))
    const why = this.folds.get(envelope.community)?.refusalOf(op)
    return why == null || why === 'payload' ? undefined : `${op.type} ${op.id}: ${REFUSAL_TEXT[why]}`
  }

  /** Takes an operation in the clear: stores it, folds it, keeps its topic's memory record, tells listeners of live topics and comments. */
  protected take (envelope: Envelope, origin: EventOrigin): void {
    const op = toForumOp(envelopeToJson(envelope))
    if (!FORUM_TYPES.has(op.type)) return
    const fold = this.fold(envelope.community)
    if (fold.has(op.id)) return
    this.requireStore().add(envelope)
    fold.add(op)
    this.settle(envelope.community)
    this.safeDispatchEvent('operation', { detail: { event: envelopeToJson(envelope), origin } })
    const topicId = this.topicOf(fold, op)
    if (topicId != null && this.records != null && this.isMine(fold.topic(topicId)?.author)) {
      void this.records.sync(envelope.community, topicId, () => this.topicRecord(envelope.community, topicId))
    }
    if (origin !== 'gossip' && origin !== 'local') return
    if (op.type === TOPIC_CREATE) {
      const topic = fold.topic(op.id)
      if (topic != null) this.safeDispatchEvent('topic', { detail: { topic, origin } })
    }
    if (op.type === COMMENT_POST) {
      const comment = fold.comment(op.id)
      if (comment != null) this.safeDispatchEvent('comment', { detail: { comment, community: envelope.community, origin } })
    }
  }

  /** Counts the operations the fold refused, once each. */
  private settle (community: string): void {
    for (const [id, why] of this.fold(community).refused()) {
      if (this.counted.has(id)) continue
      this.counted.add(id)
      this.rejections.add(why, 'fold')
    }
  }

  /** A topic as its memory record holds it: with the text of its accepted answer. */
  private topicRecord (community: string, id: string): TopicRecord | undefined {
    const fold = this.folds.get(community)
    const topic = fold?.topic(id)
    if (fold == null || topic == null) return undefined
    const answer = topic.accepted == null ? undefined : fold.comment(topic.accepted)?.body
    if (topic.accepted == null) this.recordedAnswers.delete(`${community}|${id}`)
    else this.recordedAnswers.set(`${community}|${id}`, topic.accepted)
    return answer == null ? { topic } : { topic, answer }
  }

  /** The topic whose memory record an operation changes: its own, or the one whose accepted answer it edits or deletes. */
  private topicOf (fold: ForumFold, op: ForumOp): string | undefined {
    if (op.type === TOPIC_CREATE) return op.id
    if (op.type === TOPIC_EDIT || op.type === TOPIC_DELETE) {
      const topic = (op.payload as { topic?: unknown }).topic
      return typeof topic === 'string' && fold.kindOf(topic) === 'topic' ? topic : undefined
    }
    if (op.type === COMMENT_EDIT || op.type === COMMENT_DELETE) {
      const comment = fold.comment(String((op.payload as { comment?: unknown }).comment))
      return comment != null && this.recordedAnswers.get(`${fold.community}|${comment.topic}`) === comment.id ? comment.topic : undefined
    }
    return undefined
  }

  protected isMine (author: string | undefined): boolean {
    return author != null && author.slice(author.lastIndexOf('@') + 1) === this.components.peerId.toString()
  }

  private countWire (err: EnvelopeRejectedError, peer?: string): void {
    this.rejections.add(err.reason, 'sync')
    if (peer != null) this.init.penalties.penalize(peer)
    this.log('refused forum operation from %s: %s (%s)', peer ?? '?', err.reason, err.message)
  }

  private readonly onEvent = (evt: CustomEvent<ObservedEvent>): void => {
    const { event, origin } = evt.detail
    if (event.channel !== FORUM_CHANNEL || !FORUM_TYPES.has(event.type)) return
    // the channel history holds the signed envelope the forum keeps and serves
    const envelope = this.components.channels.envelope(event.id)
    if (envelope == null) {
      this.log('forum operation %s is not in channel history', event.id)
      return
    }
    // a listener that throws would take the node down: a failure here is this operation's alone
    try {
      this.take(envelope, origin)
    } catch (err) {
      this.log.error('forum operation %s not taken: %s', event.id, (err as Error).message)
    }
  }

  private readonly onMembership = (evt: CustomEvent<{ community: string, joined: boolean }>): void => {
    if (!evt.detail.joined) return
    try {
      this.open(evt.detail.community)
    } catch (err) {
      this.log.error('forum of %s not opened: %s', evt.detail.community, (err as Error).message)
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
