import { join } from 'node:path'
import { TypedEventEmitter } from '@libp2p/interface'
import { allows } from '../../communities/access.js'
import { envelopeToJson } from '../../events/json.js'
import { channelTopic } from '../../wire/topics.js'
import { RejectionCounter } from '../../counts/rejection-counter.js'
import { REJECT_REASONS } from '../../events/validate.js'
import { WIKI_PAGE } from '../../memory/kinds.js'
import { WikiError } from './errors.js'
import { MAX_BODY_BYTES, PAGE_CREATE, PAGE_EDIT, PAGE_PROTECT, PROPOSAL_ACCEPT, PROPOSAL_REJECT, PROPOSAL_SUBMIT, SLUG, WIKI_CHANNEL, WIKI_TYPES } from './events.js'
import { WikiFold } from './fold.js'
import { toWikiOp } from './operation.js'
import { WikiStore } from './store.js'
import { WikiSync } from './sync.js'
import type { ProtectionLevel } from './events.js'
import type { PageState, Proposal, Revision, WikiRefusal } from './page-fold.js'
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

/** How a page is listed. */
export interface PageSummary {
  slug: string
  title: string
  owner: string
  protection: ProtectionLevel
  revisions: number
  head: string
  updatedAt: number
  conflict: boolean
  openProposals: number
}

/** A page as `show` gives it: one revision's body and where it stands. */
export interface PageView extends PageSummary {
  community: string
  revision: Revision
  /** Leaf revisions: more than one is a conflict someone should merge (the next edit does). */
  leaves: string[]
}

/** The outcome of an edit: a revision when the author may change the page, else a proposal. */
export type EditOutcome = { kind: 'revision', revision: Revision, page: PageView } | { kind: 'proposal', proposal: Proposal }

export interface ActAs {
  /** The authoring agent of this node; default `user`. */
  agent?: string
  summary?: string
}

const FOLD_REASONS = ['owner', 'locked', 'slug_taken'] as const satisfies readonly WikiRefusal[]
const REFUSAL_TEXT: Record<WikiRefusal, string> = {
  owner: 'only the page\'s owner (its creator\'s node, or an admin of a private community) changes it directly; others submit a proposal',
  locked: 'the page is locked: its owner refuses proposals',
  slug_taken: 'the page exists already (an earlier creation holds the slug)',
  proposal: 'no such proposal'
}

/** The title of a page: its first markdown heading, or its slug. */
function titleOf (slug: string, body: string): string {
  const heading = /^#{1,6}\s+(.+)$/m.exec(body)
  return heading?.[1]?.trim().slice(0, 200) ?? slug
}

function summarize (page: PageState): PageSummary {
  return {
    slug: page.slug,
    title: titleOf(page.slug, page.head.body),
    owner: page.creator,
    protection: page.protection,
    revisions: page.revisions.length,
    head: page.head.id,
    updatedAt: page.head.timestamp,
    conflict: page.leaves.length > 1,
    openProposals: page.proposals.filter(p => p.status === 'open').length
  }
}

/**
 * The wiki of every joined community: pages with a signed revision history, owners,
 * protection and proposals. Operations travel on each community's `wiki` channel
 * (sealed in private ones by the channels pipeline), are kept in `wiki.db` without
 * retention, and are caught up in full over `/oa/wiki/1.0.0`; a direct change by
 * someone who may not make it is refused on the wire (`rule`) and here.
 */
export class WikiService extends TypedEventEmitter<WikiEvents> implements Startable {
  private readonly components: WikiComponents
  private readonly init: WikiInit
  private readonly log: Logger
  private readonly folds = new Map<string, WikiFold>()
  private readonly rejections = new RejectionCounter<RejectReason | typeof FOLD_REASONS[number], 'sync' | 'fold'>([...REJECT_REASONS, ...FOLD_REASONS], ['sync', 'fold'])
  private readonly counted = new Set<string>()
  private readonly synced = new Set<string>()
  /** The head each owned page's memory record holds, by `<community>|<slug>`. */
  private readonly remembered = new Map<string, string>()
  private readonly removeRules: Array<() => void> = []
  private store?: WikiStore
  private sync?: WikiSync
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
    this.store = WikiStore.open(join(this.init.dataDir, 'wiki.db'))
    this.sync = new WikiSync({
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

  private requireStore (): WikiStore {
    if (this.store == null) throw new WikiError('not_started', 'the wiki service is not started', { status: 503 })
    return this.store
  }

  private fold (community: string): WikiFold {
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

  // ---- what users and agents call -------------------------------------------------

  private joined (community: string): WikiFold {
    if (!this.components.channels.communities().includes(community)) throw new WikiError('not_member', `this node has not joined community "${community}"`, { status: 404 })
    return this.fold(community)
  }

  private held (community: string, slug: string): PageState {
    if (!SLUG.test(slug)) throw new WikiError('bad_slug', `"${slug.slice(0, 120)}" is not a page slug (1-100 characters of a-z, 0-9 and "-")`)
    const page = this.joined(community).page(slug)
    if (page == null) throw new WikiError('no_page', `no page ${slug} in ${community}`, { status: 404 })
    return page
  }

  private view (community: string, page: PageState, revision: Revision = page.head): PageView {
    return { ...summarize(page), community, revision, leaves: page.leaves }
  }

  /** Is this node the page's owner: its creator's node, or an admin of its private community? */
  private mayOwn (community: string, page: PageState): boolean {
    const self = this.components.peerId.toString()
    const access = this.components.communities
    return page.ownerPeer === self || (access.isPrivate(community) && allows(access, 'admin', community, self))
  }

  private requireOwner (community: string, page: PageState, what: string): void {
    if (!this.mayOwn(community, page)) {
      throw new WikiError('not_owner', `only the owner of page ${page.slug} (${page.creator}, or an admin of a private community) may ${what}`, { status: 403 })
    }
  }

  private checkBody (body: string): void {
    if (typeof body !== 'string' || body.trim() === '') throw new WikiError('bad_body', 'the page body is empty')
    const bytes = Buffer.byteLength(body)
    if (bytes > MAX_BODY_BYTES) throw new WikiError('body_too_large', `the page body is ${bytes} bytes, over the ${MAX_BODY_BYTES}-byte limit`, { status: 413 })
  }

  private async publish (community: string, type: string, payload: Record<string, unknown>, agent?: string): Promise<string> {
    const event = await this.components.channels.publish({ community, channel: WIKI_CHANNEL, type, payload: Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined)), agent })
    const envelope = this.components.channels.envelope(event.id)
    if (envelope != null) this.take(envelope, 'local')
    return event.id
  }

  /**
   * The pages of a community, by slug.
   *
   * @example
   * ```ts
   * node.service<WikiService>('wiki')?.list('devsupport')   // [{ slug: 'hnsw-tuning', title, revisions, conflict, ... }]
   * ```
   */
  list (community: string): PageSummary[] {
    return this.joined(community).pages().map(summarize)
  }

  /**
   * A page at its head, or at a revision (its number in the history, from 1, or its id).
   *
   * @example
   * ```ts
   * const page = wiki.show('devsupport', 'hnsw-tuning')
   * console.log(page.revision.body, page.conflict ? `leaves: ${page.leaves.join(', ')}` : '')
   * ```
   */
  show (community: string, slug: string, revision?: number | string): PageView {
    const page = this.held(community, slug)
    if (revision == null) return this.view(community, page)
    const found = typeof revision === 'number' ? page.revisions[revision - 1] : page.revisions.find(r => r.id === revision)
    if (found == null) throw new WikiError('no_revision', `page ${slug} has no revision ${revision} (it has ${page.revisions.length})`, { status: 404 })
    return this.view(community, page, found)
  }

  /**
   * A page's revisions, oldest first, without their bodies.
   *
   * @example
   * ```ts
   * for (const r of wiki.history('devsupport', 'hnsw-tuning')) console.log(r.number, r.kind, r.author)
   * ```
   */
  history (community: string, slug: string): Array<Omit<Revision, 'body'>> {
    return this.held(community, slug).revisions.map(({ body: _body, ...rest }) => rest)
  }

  /**
   * The proposals of a page (or of every page), open ones first.
   *
   * @example
   * ```ts
   * const open = wiki.proposals('devsupport', 'hnsw-tuning').filter(p => p.status === 'open')
   * ```
   */
  proposals (community: string, slug?: string): Array<Proposal & { slug: string }> {
    const pages = slug == null ? this.joined(community).pages() : [this.held(community, slug)]
    const rank = { open: 0, accepted: 1, rejected: 2 }
    return pages.flatMap(p => p.proposals.map(q => ({ ...q, slug: p.slug })))
      .sort((a, b) => rank[a.status] - rank[b.status] || a.timestamp - b.timestamp || a.id.localeCompare(b.id))
  }

  /**
   * Creates a page; this node owns it.
   *
   * @example
   * ```ts
   * await wiki.create('devsupport', 'hnsw-tuning', '# HNSW tuning\n\nRaise ef for recall.')
   * ```
   */
  async create (community: string, slug: string, body: string, as: ActAs = {}): Promise<PageView> {
    if (!SLUG.test(slug)) throw new WikiError('bad_slug', `"${slug.slice(0, 120)}" is not a page slug (1-100 characters of a-z, 0-9 and "-")`)
    this.checkBody(body)
    const existing = this.joined(community).page(slug)
    if (existing != null) throw new WikiError('page_exists', `page ${slug} exists in ${community} (owner ${existing.creator}); edit it instead`, { status: 409 })
    await this.publish(community, PAGE_CREATE, { slug, body, summary: as.summary }, as.agent)
    return this.show(community, slug)
  }

  /**
   * Edits a page: a revision when this node may change it directly (its owner, or anyone
   * on an open page), otherwise a proposal to the owner. `mode: 'direct'` refuses instead
   * of proposing (`not_owner`, 403); `mode: 'propose'` always proposes. A locked page
   * takes no proposals (`locked`, 403). A revision supersedes every leaf, so an edit
   * resolves a conflict.
   *
   * @example
   * ```ts
   * const out = await wiki.edit('devsupport', 'hnsw-tuning', better)
   * if (out.kind === 'proposal') console.log('proposed', out.proposal.id)
   * ```
   */
  async edit (community: string, slug: string, body: string, as: ActAs & { mode?: 'auto' | 'direct' | 'propose' } = {}): Promise<EditOutcome> {
    this.checkBody(body)
    const page = this.held(community, slug)
    const owner = this.mayOwn(community, page)
    const direct = as.mode !== 'propose' && (owner || page.protection === 'open')
    if (direct) return { kind: 'revision', ...await this.revise(community, page, body, as) }
    if (as.mode === 'direct') this.requireOwner(community, page, `edit it directly (it is ${page.protection}); submit a proposal instead`)
    if (page.protection === 'locked' && !owner) throw new WikiError('locked', `page ${slug} is locked: only its owner (${page.creator}) changes it, and it takes no proposals`, { status: 403 })
    const id = await this.publish(community, PROPOSAL_SUBMIT, { slug, parent: page.head.id, body, summary: as.summary }, as.agent)
    const proposal = this.held(community, slug).proposals.find(p => p.id === id)
    if (proposal == null) throw new WikiError('internal', `proposal ${id} was published but is not held`, { status: 500 })
    return { kind: 'proposal', proposal }
  }

  private async revise (community: string, page: PageState, body: string, as: ActAs & { revertOf?: string }): Promise<{ revision: Revision, page: PageView }> {
    const merges = page.leaves.filter(l => l !== page.head.id)
    const id = await this.publish(community, PAGE_EDIT, { slug: page.slug, parent: page.head.id, merges: merges.length > 0 ? merges : undefined, body, summary: as.summary, revertOf: as.revertOf }, as.agent)
    return this.revisionOutcome(community, page.slug, id)
  }

  private revisionOutcome (community: string, slug: string, id: string): { revision: Revision, page: PageView } {
    const now = this.held(community, slug)
    const revision = now.revisions.find(r => r.id === id)
    if (revision == null) throw new WikiError('internal', `revision ${id} was published but is not held`, { status: 500 })
    return { revision, page: this.view(community, now) }
  }

  private proposalOf (community: string, id: string): { page: PageState, proposal: Proposal } {
    for (const page of this.joined(community).pages()) {
      const proposal = page.proposals.find(p => p.id === id)
      if (proposal != null) return { page, proposal }
    }
    throw new WikiError('no_proposal', `no proposal ${id} in ${community}`, { status: 404 })
  }

  /**
   * Accepts a proposal of a page this node owns: a revision with the proposal's body.
   *
   * @example
   * ```ts
   * const { revision } = await wiki.accept('devsupport', proposalId)
   * ```
   */
  async accept (community: string, proposalId: string, as: ActAs = {}): Promise<{ revision: Revision, page: PageView }> {
    const { page, proposal } = this.proposalOf(community, proposalId)
    this.requireOwner(community, page, 'accept its proposals')
    if (proposal.status !== 'open') throw new WikiError('proposal_decided', `proposal ${proposalId} is ${proposal.status} already`, { status: 409 })
    const merges = page.leaves.filter(l => l !== page.head.id)
    const id = await this.publish(community, PROPOSAL_ACCEPT, { slug: page.slug, proposal: proposalId, parent: page.head.id, merges: merges.length > 0 ? merges : undefined }, as.agent)
    return this.revisionOutcome(community, page.slug, id)
  }

  /**
   * Rejects a proposal of a page this node owns.
   *
   * @example
   * ```ts
   * await wiki.reject('devsupport', proposalId, { reason: 'covered in the FAQ' })
   * ```
   */
  async reject (community: string, proposalId: string, as: ActAs & { reason?: string } = {}): Promise<Proposal> {
    const { page, proposal } = this.proposalOf(community, proposalId)
    this.requireOwner(community, page, 'reject its proposals')
    if (proposal.status !== 'open') throw new WikiError('proposal_decided', `proposal ${proposalId} is ${proposal.status} already`, { status: 409 })
    await this.publish(community, PROPOSAL_REJECT, { slug: page.slug, proposal: proposalId, reason: as.reason }, as.agent)
    return this.proposalOf(community, proposalId).proposal
  }

  /**
   * Reverts a page to an old revision (its number or id): a new revision with its body.
   *
   * @example
   * ```ts
   * await wiki.revert('devsupport', 'hnsw-tuning', 1)
   * ```
   */
  async revert (community: string, slug: string, revision: number | string, as: ActAs = {}): Promise<{ revision: Revision, page: PageView }> {
    const page = this.held(community, slug)
    if (!this.mayOwn(community, page) && page.protection !== 'open') this.requireOwner(community, page, `revert it (it is ${page.protection})`)
    const old = this.show(community, slug, revision).revision
    return this.revise(community, page, old.body, { ...as, revertOf: old.id, summary: as.summary ?? `revert to revision ${old.number}` })
  }

  /**
   * Sets who may change a page this node owns: `open`, `protected` (the default) or `locked`.
   *
   * @example
   * ```ts
   * await wiki.protect('devsupport', 'hnsw-tuning', 'locked')
   * ```
   */
  async protect (community: string, slug: string, level: ProtectionLevel, as: ActAs = {}): Promise<PageView> {
    const page = this.held(community, slug)
    this.requireOwner(community, page, 'change its protection')
    if (!['open', 'protected', 'locked'].includes(level)) throw new WikiError('bad_level', `protection is open, protected or locked (got "${level}")`)
    if (page.protection !== level) await this.publish(community, PAGE_PROTECT, { slug, level }, as.agent)
    return this.show(community, slug)
  }

  /** Pages and proposals per community, and the operations refused. */
  status (): Record<string, unknown> {
    const communities: Record<string, { pages: number, openProposals: number, conflicts: number, held: number }> = {}
    for (const [community, fold] of this.folds) {
      const pages = fold.pages()
      communities[community] = {
        pages: pages.length,
        openProposals: pages.reduce((n, p) => n + p.proposals.filter(q => q.status === 'open').length, 0),
        conflicts: pages.filter(p => p.leaves.length > 1).length,
        held: pages.reduce((n, p) => n + p.held.length, 0)
      }
    }
    return { communities, rejected: this.rejections.snapshot() }
  }

  /** Why the wiki refuses an inbound operation given what it holds, or undefined (an operation on a page not held yet is held, then checked). */
  private wireRefusal (envelope: Envelope): string | undefined {
    const op = toWikiOp(envelopeToJson(envelope))
    if (op == null) return undefined
    const why = this.folds.get(envelope.community)?.refusal(op)
    return why == null ? undefined : `${op.type} on page ${op.slug}: ${REFUSAL_TEXT[why]}`
  }

  /** Takes an operation in the clear: stores it, folds it, settles the page. */
  private take (envelope: Envelope, origin: string): void {
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
      if (this.counted.has(id) || why === 'proposal') continue
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
    this.take(envelope, origin)
  }

  private readonly onMembership = (evt: CustomEvent<{ community: string, joined: boolean }>): void => {
    if (evt.detail.joined) this.open(evt.detail.community)
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
