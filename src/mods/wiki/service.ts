import { WikiError } from './errors.js'
import { MAX_BODY_BYTES, PAGE_CREATE, PAGE_EDIT, PAGE_PROTECT, PROPOSAL_ACCEPT, PROPOSAL_REJECT, PROPOSAL_SUBMIT, SLUG, WIKI_CHANNEL } from './events.js'
import { WikiReplica } from './replica.js'
import { summarize } from './views.js'
import type { ProtectionLevel } from './events.js'
import type { WikiFold } from './fold.js'
import type { PageState, Proposal, Revision } from './page-fold.js'
import type { ActAs, EditOutcome, PageSummary, PageView } from './views.js'

export type { WikiComponents, WikiInit, WikiProposalEvent, WikiEvents } from './replica.js'
export type { ActAs, EditOutcome, PageSummary, PageView } from './views.js'

/**
 * The wiki of every joined community, as users and agents call it: list, show, history,
 * proposals, create, edit (a revision or a proposal), accept, reject, revert, protect.
 * Each change is checked here (membership, owner, protection) and published through the
 * channels mod; the replica it extends keeps, folds and catches up the operations.
 *
 * @example
 * ```ts
 * const wiki = node.service<WikiService>('wiki')!
 * const out = await wiki.edit('devsupport', 'hnsw-tuning', '# HNSW tuning\n\nSet ef >= k.')
 * ```
 */
export class WikiService extends WikiReplica {
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
}
