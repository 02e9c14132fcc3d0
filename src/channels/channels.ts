import { join } from 'node:path'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { TypedEventEmitter } from '@libp2p/interface'
import { COMMUNITY_NAME, DEFAULTS } from '../config/schema.js'
import { openEnvelope, sealEnvelope } from '../communities/sealed-envelope.js'
import { createEnvelope } from '../events/envelope.js'
import { envelopeToJson } from '../events/json.js'
import { ReplayCache } from '../events/replay-cache.js'
import { allows } from '../communities/access.js'
import { AGENT_NAME, CHANNEL_NAME, EventTypes, parseMentions } from '../events/types.js'
import { EnvelopeRejectedError, validateEnvelope } from '../events/validate.js'
import { NodeLimits } from '../limits/node-limits.js'
import { Envelope } from '../wire/generated/event.js'
import { channelTopic, parseChannelTopic } from '../wire/topics.js'
import { DirectMessenger } from './direct.js'
import { ChannelInputError } from './errors.js'
import { HistoryStore } from './history-store.js'
import { HistorySync, MAX_HISTORY_LIMIT } from './history-sync.js'
import { PeerPenalties } from './penalties.js'
import { RejectionCounter } from './rejections.js'
import type { ChannelSettings, ChannelsComponents, ChannelsContext, EnvelopeRule, ObservedEvent } from './context.js'
import type { DirectHandler, DirectReply, SendDirectOptions } from './direct.js'
import type { PostLog } from './post-log.js'
import type { RejectionCounts, InboundPath } from './rejections.js'
import type { EventJson } from '../events/json.js'
import type { EventCatalog } from '../events/registry.js'
import type { Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { Logger, PeerId, Startable } from '@libp2p/interface'

export interface ChannelsInit {
  /** Folder of `channels.db` (channel history). */
  dataDir: string
  /** Communities joined at start. */
  communities: string[]
  settings: ChannelSettings
  /** Shared with gossipsub's scoring; a fresh one when not given. */
  penalties?: PeerPenalties
  /** The node's limits (direct-request rates, streams per protocol); the defaults when not given. */
  limits?: NodeLimits
  /** The node's event types: which travel on channel topics, their payloads, who may author them. */
  events: EventCatalog
}

export interface ChannelsEvents {
  /** Every event this node posts, receives by gossip or backfill, or exchanges directly. */
  event: CustomEvent<ObservedEvent>
  /** An inbound envelope failed validation. */
  rejected: CustomEvent<{ reason: string, path: InboundPath, peer?: string, message: string }>
  /** The node joined or left a community. */
  membership: CustomEvent<{ community: string, joined: boolean }>
  /** A direct request this node sent was answered (`ok`) or failed (`error`), after `ms`. */
  'request:done': CustomEvent<{ community: string, outcome: 'ok' | 'error', ms: number }>
}

export interface PostInit {
  community: string
  channel: string
  text: string
  /** Name of the authoring agent on this node. Default `user`. */
  agent?: string
  metadata?: Record<string, unknown>
}

export interface ReplyInit extends PostInit {
  /** Id of the message answered; the reply joins its thread. */
  replyTo: string
}

export interface ReactInit {
  community: string
  channel: string
  /** Id of the message reacted to. */
  messageId: string
  reaction: string
  agent?: string
}

export interface ListInit {
  limit?: number
  /** Only messages before this time (ms). */
  before?: number
}

const DEFAULT_AGENT = 'user'

const GENERAL = 'general'
const BACKFILL_PEERS = 2

/**
 * Channels of the communities a node joined, carried by gossipsub on
 * `oa/1/<community>/ch/<channel>`, with on-disk history, backfill from peers, and direct
 * agent-to-agent requests. Every inbound envelope is validated; rejected ones are
 * counted, penalise the sending peer in gossipsub's score, and go no further.
 */
export class Channels extends TypedEventEmitter<ChannelsEvents> implements Startable {
  private readonly components: ChannelsComponents
  private readonly init: ChannelsInit
  private readonly log: Logger
  private readonly joined = new Map<string, Set<string>>()
  /** The topic each open channel is subscribed under, by `<community>|<channel>`. */
  private readonly subscribed = new Map<string, string>()
  private readonly rejections = new RejectionCounter()
  private readonly penalties: PeerPenalties
  private readonly limits: NodeLimits
  private readonly backfilled = new Set<string>()
  /** Mods' own rules, by event type (`addRule`). */
  private readonly rules = new Map<string, EnvelopeRule>()
  /** Ids of accepted live envelopes (gossip and direct), for replay rejection. */
  private readonly replay: ReplayCache
  private store?: HistoryStore
  private direct?: DirectMessenger
  private historySync?: HistorySync
  private started = false

  constructor (components: ChannelsComponents, init: ChannelsInit) {
    super()
    this.components = components
    this.init = init
    this.penalties = init.penalties ?? new PeerPenalties()
    this.limits = init.limits ?? new NodeLimits(DEFAULTS.limits, this.penalties)
    this.replay = new ReplayCache(2 * init.settings.maxClockSkewMs)
    this.log = components.logger.forComponent('oa:channels')
  }

  readonly [Symbol.toStringTag] = 'oa:channels'

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) return
    const store = HistoryStore.open({
      path: join(this.init.dataDir, 'channels.db'),
      maxPerChannel: this.init.settings.history.maxMessagesPerChannel,
      maxAgeMs: this.init.settings.history.maxAgeDays * 86_400_000
    })
    this.store = store
    const ctx: ChannelsContext = {
      components: this.components,
      settings: this.init.settings,
      log: this.log,
      store,
      replay: this.replay,
      penalties: this.penalties,
      limits: this.limits,
      events: this.init.events,
      rejections: this.rejections,
      isMember: (c) => this.joined.has(c),
      observe: (e) => { this.safeDispatchEvent('event', { detail: e }) },
      wireForm: (e) => this.wireForm(e),
      rejected: (err, path, peer) => { this.countRejection(err, path, peer) },
      admit: (e) => this.admit(e)
    }
    this.direct = new DirectMessenger(ctx)
    this.historySync = new HistorySync(ctx)
    await this.direct.start()
    await this.historySync.start()
    this.started = true
  }

  /** Subscribes once gossipsub runs (libp2p starts services side by side). */
  afterStart (): void {
    const pubsub = this.components.pubsub
    pubsub.addEventListener('message', this.onMessage)
    pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.components.events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.communities.addEventListener('joined', this.onJoined)
    this.components.communities.addEventListener('left', this.onLeft)
    this.components.communities.addEventListener('rekeyed', this.onRekeyed)
    for (const community of new Set([...this.init.communities, ...this.components.communities.joinedNames()])) this.join(community)
  }

  /** Unsubscribes while gossipsub still runs. */
  beforeStop (): void {
    const pubsub = this.components.pubsub
    pubsub.removeEventListener('message', this.onMessage)
    pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.communities.removeEventListener('joined', this.onJoined)
    this.components.communities.removeEventListener('left', this.onLeft)
    this.components.communities.removeEventListener('rekeyed', this.onRekeyed)
    for (const community of [...this.joined.keys()]) this.leave(community)
  }

  private readonly onJoined = (evt: CustomEvent<{ community: string }>): void => {
    // joined by name before, now a member of a private community of that name: its topics change
    if (this.joined.has(evt.detail.community)) this.leave(evt.detail.community)
    this.join(evt.detail.community)
  }

  private readonly onLeft = (evt: CustomEvent<{ community: string }>): void => {
    this.leave(evt.detail.community)
  }

  /** A newer key arrived: fetch again what could not be opened before. */
  private readonly onRekeyed = (evt: CustomEvent<{ community: string }>): void => {
    const { community } = evt.detail
    for (const key of [...this.backfilled]) if (key.split('|')[1] === community) this.backfilled.delete(key)
    for (const channel of this.channels(community)) {
      for (const peer of this.components.pubsub.getSubscribers(this.topicOf(community, channel)).slice(0, BACKFILL_PEERS)) this.backfillFrom(peer, community, channel)
    }
  }

  /** The gossipsub topic of a channel: private communities are named by a label only members can derive. */
  private topicOf (community: string, channel: string): string {
    return channelTopic(this.components.communities.wireName(community), channel)
  }

  /** The community and channel a topic names, if it is a channel topic. */
  private parseTopic (topic: string): { community: string, channel: string } | undefined {
    const names = parseChannelTopic(topic)
    return names == null ? undefined : { community: this.components.communities.nameOf(names.community), channel: names.channel }
  }

  /**
   * Adds a mod's own rule for inbound envelopes of a type it owns, checked on gossip and
   * history after the author's signature and role: a refusal is counted as `rule`; on
   * gossip it lowers the sender's score (a relaying history peer is not blamed, its view
   * may differ). Returns a function that removes it.
   *
   * @example
   * ```ts
   * const remove = channels.addRule('wiki.page.edit', env => mayEdit(env) ? undefined : 'only the page owner edits it directly')
   * ```
   */
  addRule (type: string, rule: EnvelopeRule): () => void {
    if (this.rules.has(type)) throw new Error(`a rule for ${type} is already set`)
    this.rules.set(type, rule)
    return () => { if (this.rules.get(type) === rule) this.rules.delete(type) }
  }

  /** Why a mod's rule refuses an envelope in the clear, or undefined. */
  admit (envelope: Envelope): string | undefined {
    return this.rules.get(envelope.type)?.(envelope)
  }

  /** Envelopes of a private community travel sealed; others in the clear. */
  wireForm (envelope: Envelope): Envelope {
    const sealer = this.components.communities.sealer(envelope.community)
    return sealer == null ? envelope : sealEnvelope(envelope, sealer)
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.direct?.stop()
    await this.historySync?.stop()
    this.store?.close()
  }

  private requireStarted (): { store: HistoryStore, direct: DirectMessenger, historySync: HistorySync } {
    if (!this.started || this.store == null || this.direct == null || this.historySync == null) throw new Error('the channels service is not started')
    return { store: this.store, direct: this.direct, historySync: this.historySync }
  }

  /** Communities this node has joined. */
  communities (): string[] {
    return [...this.joined.keys()].sort()
  }

  /** Open channels of a joined community. */
  channels (community: string): string[] {
    return [...(this.joined.get(community) ?? [])].sort()
  }

  /**
   * Joins a community: opens `general` and the channels declared for it in config.
   *
   * @example
   * ```ts
   * node.services.channels.join('devsupport')
   * ```
   */
  join (community: string): void {
    if (!COMMUNITY_NAME.test(community)) throw new ChannelInputError('bad_community', `"${community}" is not a valid community name`)
    const fresh = !this.joined.has(community)
    if (fresh) this.joined.set(community, new Set())
    for (const channel of [GENERAL, ...(this.init.settings.declared[community] ?? [])]) this.openChannel(community, channel)
    if (fresh) this.safeDispatchEvent('membership', { detail: { community, joined: true } })
  }

  /** Leaves a community: unsubscribes all its channels. Its stored history stays. */
  leave (community: string): void {
    const channels = this.joined.get(community)
    if (channels == null) return
    for (const channel of channels) {
      // the topic it was opened under: a community that became private since has another now
      const topic = this.subscribed.get(`${community}|${channel}`) ?? this.topicOf(community, channel)
      this.subscribed.delete(`${community}|${channel}`)
      this.components.pubsub.unsubscribe(topic)
      this.components.pubsub.topicValidators.delete(topic)
    }
    this.joined.delete(community)
    this.safeDispatchEvent('membership', { detail: { community, joined: false } })
  }

  /**
   * Opens a channel of a joined community (channels are created on demand) and
   * backfills it from peers already in it.
   */
  openChannel (community: string, channel: string): void {
    const channels = this.joined.get(community)
    if (channels == null) throw new ChannelInputError('not_member', `this node has not joined community "${community}" (joined: ${this.communities().join(', ') || 'none'})`)
    if (!CHANNEL_NAME.test(channel)) throw new ChannelInputError('bad_channel', `"${channel}" is not a valid channel name (1-64 characters of a-z, 0-9, "_", "-")`)
    if (channels.has(channel)) return
    channels.add(channel)
    const topic = this.topicOf(community, channel)
    this.subscribed.set(`${community}|${channel}`, topic)
    this.components.pubsub.topicValidators.set(topic, this.validator(community, channel))
    this.components.pubsub.subscribe(topic)
    for (const peer of this.components.pubsub.getSubscribers(topic).slice(0, BACKFILL_PEERS)) this.backfillFrom(peer, community, channel)
  }

  /**
   * Posts a message to a channel, opening the channel if needed.
   *
   * @example
   * ```ts
   * const msg = await node.services.channels.post({ community: 'devsupport', channel: 'general', text: 'How do I tune HNSW ef?' })
   * ```
   */
  async post (init: PostInit): Promise<EventJson> {
    const text = this.checkText(init.text)
    return this.publish({ ...init, type: EventTypes.CHANNEL_MESSAGE_POST, payload: { text, mentions: parseMentions(text), ...(init.metadata == null ? {} : { metadata: init.metadata }) } })
  }

  /**
   * Replies to a message; the reply joins the message's thread.
   *
   * @example
   * ```ts
   * await channels.reply({ community: 'devsupport', channel: 'general', replyTo: msg.id, text: 'Raise ef above k.' })
   * ```
   */
  async reply (init: ReplyInit): Promise<EventJson> {
    const text = this.checkText(init.text)
    const parent = this.parent(init.community, init.channel, init.replyTo)
    return this.publish({
      ...init,
      type: EventTypes.CHANNEL_MESSAGE_REPLY,
      replyTo: parent.id,
      thread: parent.thread ?? parent.id,
      payload: { text, mentions: parseMentions(text), ...(init.metadata == null ? {} : { metadata: init.metadata }) }
    })
  }

  /**
   * Adds a reaction to a message.
   *
   * @example
   * ```ts
   * await channels.react({ community: 'devsupport', channel: 'general', messageId: msg.id, reaction: '+1' })
   * ```
   */
  async react (init: ReactInit): Promise<EventJson> {
    const reaction = init.reaction.trim()
    if (reaction === '' || reaction.length > 32) throw new ChannelInputError('bad_reaction', 'a reaction is 1 to 32 characters')
    const parent = this.parent(init.community, init.channel, init.messageId)
    return this.publish({ ...init, type: EventTypes.CHANNEL_REACTION_ADD, replyTo: parent.id, thread: parent.thread ?? parent.id, payload: { reaction } })
  }

  /**
   * Publishes an event of any type registered for channel topics (presence, or a mod's
   * own types) to a channel; its payload must fit the type's schema, and this node must
   * hold the role the type needs.
   *
   * @example
   * ```ts
   * await channels.publish({ community: 'devsupport', channel: 'polls', type: 'polls.vote.cast', payload: { poll: id, option: 1 } })
   * ```
   */
  async publish (init: { community: string, channel: string, type: string, payload: unknown, agent?: string, replyTo?: string, thread?: string, ttl?: number }): Promise<EventJson> {
    const { store } = this.requireStarted()
    const events = this.init.events
    if (!events.carries(init.type, 'channel')) throw new ChannelInputError('bad_type', `${init.type} is not a channel event type`)
    const agent = init.agent ?? DEFAULT_AGENT
    if (!AGENT_NAME.test(agent)) throw new ChannelInputError('bad_agent', `"${agent}" is not a valid agent name`)
    const shape = events.payloadSchema(init.type)?.safeParse(init.payload)
    if (shape?.success === false) throw new ChannelInputError('bad_payload', `payload does not match ${init.type}: ${shape.error.issues.map(i => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`)
    const refusal = events.refusal?.(init.type, { source: `${agent}@${this.components.peerId.toString()}`, payload: init.payload })
    if (refusal != null) throw new ChannelInputError('bad_payload', `${init.type}: ${refusal}`)
    this.openChannel(init.community, init.channel)
    const access = this.components.communities
    const self = this.components.peerId.toString()
    if (!access.mayWrite(init.community, self)) {
      throw new ChannelInputError('read_only', `this node may read ${init.community} but not post to it (its role is ${access.roleOf(init.community, self) ?? 'none'})`)
    }
    if (events.requirement(init.type, access.isPrivate(init.community)) === 'admin' && !allows(access, 'admin', init.community, self)) {
      throw new ChannelInputError('not_admin', `only an admin of ${init.community} may publish ${init.type} (this node is ${access.roleOf(init.community, self) ?? 'not a member'})`)
    }
    const envelope = await createEnvelope({ ...init, agent }, this.components.privateKey)
    const bytes = Envelope.encode(this.wireForm(envelope))
    if (bytes.byteLength > this.init.settings.maxMessageBytes) {
      throw new ChannelInputError('too_large', `the message is ${bytes.byteLength} bytes encoded, over the ${this.init.settings.maxMessageBytes}-byte limit`)
    }
    // presence is live state, not conversation: relayed, never kept in history
    if (events.kept(init.type)) store.addLocal(envelope)
    const event = envelopeToJson(envelope)
    this.safeDispatchEvent('event', { detail: { event, origin: 'local' } })
    await this.components.pubsub.publish(this.topicOf(init.community, init.channel), bytes)
    return event
  }

  /**
   * The latest messages of a channel held by this node, oldest first.
   *
   * @example
   * ```ts
   * const last50 = channels.list('devsupport', 'general', { limit: 50 })
   * ```
   */
  list (community: string, channel: string, init: ListInit = {}): EventJson[] {
    const { store } = this.requireStarted()
    this.checkChannel(community, channel)
    const limit = Math.min(Math.max(init.limit ?? 50, 1), MAX_HISTORY_LIMIT)
    return store.list(community, channel, { limit, before: init.before }).map(envelopeToJson)
  }

  /**
   * A stored envelope by id, in the clear (the form `wireForm` seals for the network).
   *
   * @example
   * ```ts
   * const sealed = channels.wireForm(channels.envelope(msg.id)!)
   * ```
   */
  envelope (id: string): Envelope | undefined {
    return this.requireStarted().store.get(id)
  }

  /** Registers the direct-request handler of a local agent; returns a function that removes it. */
  handleDirect (agent: string, handler: DirectHandler): () => void {
    return this.requireStarted().direct.handle(agent, handler)
  }

  /**
   * Sends a direct request to an agent on any node and waits for the response.
   *
   * @example
   * ```ts
   * const reply = await channels.request({ from: 'user', to: 'python_expert@12D3KooW...', community: 'devsupport',
   *   payload: { text: 'What does asyncio.gather do?' }, timeoutMs: 10_000 })
   * ```
   */
  async request (options: SendDirectOptions): Promise<DirectReply> {
    const { direct } = this.requireStarted()
    const started = performance.now()
    const done = (outcome: 'ok' | 'error'): void => {
      this.safeDispatchEvent('request:done', { detail: { community: options.community, outcome, ms: performance.now() - started } })
    }
    try {
      const reply = await direct.send(options)
      done('ok')
      return reply
    } catch (err) {
      done('error')
      throw err
    }
  }

  /**
   * The messages this node wrote, in write order, with reader positions kept on disk
   * (memory capture reads it).
   *
   * @example
   * ```ts
   * const fresh = node.libp2p.services.channels.postLog().after(0, 100)
   * ```
   */
  postLog (): PostLog {
    return this.requireStarted().store
  }

  /** Rejected inbound envelopes, by reason and by path. */
  rejected (): RejectionCounts {
    return this.rejections.snapshot()
  }

  /** Messages held per channel of a community. */
  stored (community: string): Record<string, number> {
    return this.requireStarted().store.counts(community)
  }

  /** Asks `peer` for the latest messages of a channel. Returns how many were new. */
  async backfill (peer: PeerId, community: string, channel: string, signal?: AbortSignal): Promise<number> {
    return this.requireStarted().historySync.fetch(peer, community, channel, this.init.settings.history.backfillLimit, signal)
  }

  private backfillFrom (peer: PeerId, community: string, channel: string): void {
    const key = `${peer.toString()}|${community}|${channel}`
    if (this.backfilled.has(key) || this.init.settings.history.backfillLimit === 0) return
    this.backfilled.add(key)
    this.backfill(peer, community, channel).then((added) => {
      if (added > 0) this.log('backfilled %d messages of %s/%s from %p', added, community, channel, peer)
    }, (err: unknown) => {
      this.backfilled.delete(key)
      this.log('backfill of %s/%s from %p failed: %s', community, channel, peer, (err as Error).message)
    })
  }

  private checkText (text: string): string {
    if (typeof text !== 'string' || text.trim() === '') throw new ChannelInputError('bad_text', 'the message text is empty')
    const bytes = Buffer.byteLength(text)
    if (bytes > this.init.settings.maxTextBytes) throw new ChannelInputError('text_too_long', `the message text is ${bytes} bytes, over the ${this.init.settings.maxTextBytes}-byte limit`)
    return text
  }

  private checkChannel (community: string, channel: string): void {
    if (!this.joined.has(community)) throw new ChannelInputError('not_member', `this node has not joined community "${community}" (joined: ${this.communities().join(', ') || 'none'})`)
    if (!CHANNEL_NAME.test(channel)) throw new ChannelInputError('bad_channel', `"${channel}" is not a valid channel name (1-64 characters of a-z, 0-9, "_", "-")`)
  }

  private parent (community: string, channel: string, id: string): Envelope {
    const { store } = this.requireStarted()
    this.checkChannel(community, channel)
    const parent = store.get(id)
    if (parent == null || parent.community !== community || parent.channel !== channel) {
      throw new ChannelInputError('not_found', `no message ${id} in ${community}/${channel}`)
    }
    return parent
  }

  private countRejection (err: EnvelopeRejectedError, path: InboundPath, peer?: string): void {
    this.rejections.add(err.reason, path)
    // a request for history the asker may not read is refused and counted, not punished:
    // an honest peer meets it (a removed member before it learns so, an open community
    // that shares a private one's name), and stream limits bound how often it can ask
    const refusedRequest = path === 'history' && err.reason === 'membership'
    if (peer != null && !refusedRequest) this.penalties.penalize(peer)
    this.log('rejected %s envelope from %s: %s (%s)', path, peer ?? '?', err.reason, err.message)
    this.safeDispatchEvent('rejected', { detail: { reason: err.reason, path, peer, message: err.message } })
  }

  private validator (community: string, channel: string) {
    const access = this.components.communities
    return async (propagationSource: PeerId, message: Message): Promise<TopicValidatorResult> => {
      try {
        const sealer = access.sealer(community)
        await validateEnvelope(message.data, {
          ...(sealer == null ? {} : { sealer, hasEpoch: (e: number) => access.hasEpoch(community, e) }),
          // live gossip: the author must be allowed to write now
          mayWrite: (peer) => access.mayWrite(community, peer),
          isAdmin: (peer) => allows(access, 'admin', community, peer),
          maxBytes: this.init.settings.maxMessageBytes,
          maxSkewMs: this.init.settings.maxClockSkewMs,
          events: this.init.events,
          allowType: t => this.init.events.carries(t, 'channel'),
          isMember: c => this.joined.has(c),
          community,
          channel,
          sender: message.type === 'signed' ? message.from.toString() : undefined,
          admit: e => this.admit(e),
          replay: this.replay
        })
        return TopicValidatorResult.Accept
      } catch (err) {
        if (!(err instanceof EnvelopeRejectedError)) throw err
        if (err.reason === 'key') {
          // sealed with a key this node has not received yet: not the sender's fault; fetch the key, then the history
          this.countRejection(err, 'gossip')
          access.refresh(community, propagationSource.toString())
          return TopicValidatorResult.Ignore
        }
        this.countRejection(err, 'gossip', propagationSource.toString())
        return TopicValidatorResult.Reject
      }
    }
  }

  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const { topic, data } = evt.detail
    const names = this.parseTopic(topic)
    if (names == null || this.joined.get(names.community)?.has(names.channel) !== true || this.store == null) return
    // the topic validator has accepted it; a sealed one opened there, so it opens here
    const wire = Envelope.decode(data)
    const sealer = this.components.communities.sealer(names.community)
    let envelope: Envelope
    try {
      envelope = sealer == null ? wire : openEnvelope(wire, sealer)
    } catch (err) {
      this.log('a validated envelope %s no longer opens: %s', wire.id, (err as Error).message)
      return
    }
    if (this.init.events.kept(envelope.type) && !this.store.add(envelope)) return
    this.safeDispatchEvent('event', { detail: { event: envelopeToJson(envelope), origin: 'gossip' } })
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      if (!subscribe) continue
      const names = this.parseTopic(topic)
      if (names == null) continue
      const channels = this.joined.get(names.community)
      if (channels == null || !CHANNEL_NAME.test(names.channel)) continue
      if (!channels.has(names.channel)) {
        if (!this.init.settings.followPeers) continue
        this.openChannel(names.community, names.channel)
      }
      this.backfillFrom(evt.detail.peerId, names.community, names.channel)
    }
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const prefix = `${evt.detail.toString()}|`
    for (const key of this.backfilled) if (key.startsWith(prefix)) this.backfilled.delete(key)
  }
}
