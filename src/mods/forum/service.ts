import { OaError } from '../../errors.js'
import { RejectionCounter } from '../../counts/rejection-counter.js'
import { COMMENT_DELETE, COMMENT_EDIT, COMMENT_POST, FORUM_CHANNEL, ITEM_ID, MAX_DEPTH, TOPIC_CREATE, TOPIC_DELETE, TOPIC_EDIT, VOTE_CAST } from './events.js'
import { ForumReplica, toForumOp } from './replica.js'
import { sortTopics } from './views.js'
import type { Vote } from './events.js'
import type { FoldRefusal, ForumFold, ForumOp } from './fold.js'
import type { CommentView, TopicSort, TopicThread, TopicView } from './views.js'
import type { RejectionCounts } from '../../counts/rejection-counter.js'
import type { RejectReason } from '../../events/validate.js'
import type { EventJson } from '../../events/json.js'

export type { ForumComponents, ForumInit, ForumEvents } from './replica.js'

/** Refusals of local calls (the API, CLI and agents), by reason. */
export const API_REFUSALS = ['not_author', 'too_deep', 'no_item', 'deleted'] as const
export type ApiRefusal = typeof API_REFUSALS[number]

export interface ForumStatus {
  /** Per community: topics and comments held, operations held. */
  communities: Record<string, { topics: number, comments: number, operations: number }>
  /** Operations refused: on the wire or in catch-up (`sync`, by the pipeline's reason), and by the fold (`fold`: a non-author's edit, a comment too deep). */
  refused: RejectionCounts<RejectReason | FoldRefusal, 'sync' | 'fold'>
  /** Local calls refused, by reason. */
  refusedCalls: RejectionCounts<ApiRefusal, never>
}

export interface SearchHitView {
  topic: TopicView
  score: number
  scoreKind: string
  similarity?: number
}

const DEFAULT_AGENT = 'user'

/**
 * The forum of every joined community, as users and agents call it: post, comment,
 * vote, edit, delete, list, show, search. Each call is checked here (membership,
 * authorship, depth) and published through the channels mod as a signed event on the
 * community's `forum` channel; the replica it extends keeps, folds and catches up the
 * operations so that every node converges.
 *
 * @example
 * ```ts
 * const forum = node.service<ForumService>('forum')!
 * const topic = await forum.post('devsupport', { title: 'HNSW or IVF_FLAT for 10M vectors?', tags: ['milvus'] })
 * ```
 */
export class ForumService extends ForumReplica {
  private readonly refusedCalls = new RejectionCounter(API_REFUSALS)

  private joined (community: string): ForumFold {
    if (!this.components.channels.communities().includes(community)) {
      throw new OaError('not_member', `this node has not joined community "${community}"`, { status: 404 })
    }
    return this.fold(community)
  }

  private refuse (reason: ApiRefusal, message: string, status: number): never {
    this.refusedCalls.add(reason)
    throw new OaError(reason, message, { status })
  }

  private item (fold: ForumFold, id: string): { kind: 'topic' | 'comment', author: string } {
    if (!ITEM_ID.test(id)) throw new OaError('bad_id', `"${id.slice(0, 64)}" is not a topic or comment id (26 characters, as \`forum post\` prints)`)
    const kind = fold.kindOf(id)
    const author = fold.authorOf(id)
    if (kind == null || author == null) this.refuse('no_item', `no topic or comment ${id} in ${fold.community}`, 404)
    return { kind, author }
  }

  private async publish (community: string, type: string, payload: unknown, agent: string): Promise<ForumOp> {
    const event = await this.components.channels.publish({ community, channel: FORUM_CHANNEL, type, payload, agent })
    const envelope = this.components.channels.envelope(event.id)
    if (envelope != null) this.take(envelope, 'local')
    return toForumOp(event)
  }

  /**
   * Posts a topic as an agent of this node (default `user`). Returns it.
   *
   * @example
   * ```ts
   * const topic = await forum.post('devsupport', { title: 'HNSW or IVF_FLAT for 10M vectors?', body: 'Memory is tight.', tags: ['milvus'] })
   * ```
   */
  async post (community: string, init: { title: string, body?: string, tags?: string[] }, agent = DEFAULT_AGENT): Promise<TopicView> {
    const fold = this.joined(community)
    const op = await this.publish(community, TOPIC_CREATE, { title: init.title, body: init.body ?? '', tags: init.tags ?? [] }, agent)
    // resolved once the topic's memory record is written too: a search right after finds it
    await this.records?.settled()
    const topic = fold.topic(op.id)
    if (topic == null) throw new OaError('internal', `topic ${op.id} was published but not folded`, { status: 500 })
    return topic
  }

  /**
   * Comments on a topic, or replies to a comment of it (`replyTo`), up to MAX_DEPTH levels.
   *
   * @example
   * ```ts
   * const answer = await forum.comment('devsupport', topic.id, 'HNSW if memory allows')
   * await forum.comment('devsupport', topic.id, 'How much memory?', { replyTo: answer.id })
   * ```
   */
  async comment (community: string, topicId: string, body: string, options: { replyTo?: string, agent?: string } = {}): Promise<CommentView> {
    const fold = this.joined(community)
    const topic = this.item(fold, topicId)
    if (topic.kind !== 'topic') throw new OaError('not_topic', `${topicId} is a comment, not a topic (use --reply-to to answer a comment)`)
    if (fold.topic(topicId)?.deleted === true) this.refuse('deleted', `topic ${topicId} is deleted`, 409)
    let parent: string | undefined
    if (options.replyTo != null) {
      const target = this.item(fold, options.replyTo)
      if (target.kind !== 'comment' || fold.comment(options.replyTo)?.topic !== topicId) throw new OaError('bad_parent', `${options.replyTo} is not a comment of topic ${topicId}`)
      const depth = fold.depth(options.replyTo) ?? 0
      if (depth >= MAX_DEPTH) this.refuse('too_deep', `comments nest up to ${MAX_DEPTH} levels; comment ${options.replyTo} is at level ${depth}, so it takes no replies`, 400)
      parent = options.replyTo
    }
    const op = await this.publish(community, COMMENT_POST, { topic: topicId, ...(parent == null ? {} : { parent }), body }, options.agent ?? DEFAULT_AGENT)
    const comment = fold.comment(op.id)
    if (comment == null) throw new OaError('internal', `comment ${op.id} was published but not folded`, { status: 500 })
    return comment
  }

  /**
   * Votes on a topic or comment as an agent of this node: `up`, `down`, or `none` to
   * withdraw. Returns the item's new score.
   *
   * @example
   * ```ts
   * const { score } = await forum.vote('devsupport', answer.id, 'up')
   * ```
   */
  async vote (community: string, id: string, vote: Vote, agent = DEFAULT_AGENT): Promise<{ id: string, kind: 'topic' | 'comment', vote: Vote, score: number, up: number, down: number }> {
    const fold = this.joined(community)
    const { kind } = this.item(fold, id)
    await this.publish(community, VOTE_CAST, { target: id, vote }, agent)
    const view = kind === 'topic' ? fold.topic(id) : fold.comment(id)
    return { id, kind, vote: fold.voteOf(id, `${agent}@${this.components.peerId.toString()}`), score: view?.score ?? 0, up: view?.up ?? 0, down: view?.down ?? 0 }
  }

  private mayChange (fold: ForumFold, id: string, agent: string, what: string): 'topic' | 'comment' {
    const { kind, author } = this.item(fold, id)
    const self = `${agent}@${this.components.peerId.toString()}`
    if (author !== self) this.refuse('not_author', `only the author of ${kind} ${id} (${author}) may ${what} it; this is ${self}`, 403)
    const deleted = kind === 'topic' ? fold.topic(id)?.deleted : fold.comment(id)?.deleted
    if (deleted === true) this.refuse('deleted', `${kind} ${id} is deleted`, 409)
    return kind
  }

  /**
   * Edits a topic (title, body, tags) or a comment (body) its author wrote.
   *
   * @example
   * ```ts
   * await forum.edit('devsupport', topic.id, { title: 'HNSW or IVF_FLAT for 10M 768-d vectors?' })
   * ```
   */
  async edit (community: string, id: string, change: { title?: string, body?: string, tags?: string[] }, agent = DEFAULT_AGENT): Promise<TopicView | CommentView> {
    const fold = this.joined(community)
    const kind = this.mayChange(fold, id, agent, 'edit')
    if (kind === 'topic') {
      const payload = { topic: id, ...(change.title == null ? {} : { title: change.title }), ...(change.body == null ? {} : { body: change.body }), ...(change.tags == null ? {} : { tags: change.tags }) }
      await this.publish(community, TOPIC_EDIT, payload, agent)
      await this.records?.settled()
      return fold.topic(id) as TopicView
    }
    if (change.title != null || change.tags != null) throw new OaError('bad_edit', `${id} is a comment: only its body can be edited`)
    if (change.body == null) throw new OaError('bad_edit', 'an edit of a comment gives its new body')
    await this.publish(community, COMMENT_EDIT, { comment: id, body: change.body }, agent)
    return fold.comment(id) as CommentView
  }

  /**
   * Accepts a comment of a topic the agent wrote as its answer (`null` withdraws it): the
   * topic shows it, and its memory record holds the answer's text, so `recall` finds it.
   *
   * @example
   * ```ts
   * await forum.accept('devsupport', topic.id, answer.id)
   * ```
   */
  async accept (community: string, topicId: string, commentId: string | null, agent = DEFAULT_AGENT): Promise<TopicView> {
    const fold = this.joined(community)
    const kind = this.mayChange(fold, topicId, agent, 'accept an answer of')
    if (kind !== 'topic') throw new OaError('not_topic', `${topicId} is a comment, not a topic`)
    if (commentId != null) {
      const target = this.item(fold, commentId)
      const comment = fold.comment(commentId)
      if (target.kind !== 'comment' || comment?.topic !== topicId) throw new OaError('bad_answer', `${commentId} is not a comment of topic ${topicId}`)
      if (comment.deleted) this.refuse('deleted', `comment ${commentId} is deleted`, 409)
    }
    await this.publish(community, TOPIC_EDIT, { topic: topicId, accepted: commentId }, agent)
    await this.records?.settled()
    return fold.topic(topicId) as TopicView
  }

  /**
   * Deletes a topic or comment its author wrote, leaving a tombstone (replies stay).
   *
   * @example
   * ```ts
   * await forum.delete('devsupport', answer.id)
   * ```
   */
  async delete (community: string, id: string, agent = DEFAULT_AGENT): Promise<TopicView | CommentView> {
    const fold = this.joined(community)
    const kind = this.mayChange(fold, id, agent, 'delete')
    await this.publish(community, kind === 'topic' ? TOPIC_DELETE : COMMENT_DELETE, kind === 'topic' ? { topic: id } : { comment: id }, agent)
    await this.records?.settled()
    return (kind === 'topic' ? fold.topic(id) : fold.comment(id)) as TopicView | CommentView
  }

  /**
   * The topics of a community (tombstones left out), sorted `top`, `new` or `active`.
   *
   * @example
   * ```ts
   * const hot = forum.list('devsupport', 'active')
   * ```
   */
  list (community: string, sort: TopicSort = 'new'): TopicView[] {
    return sortTopics(this.joined(community).listTopics().filter(t => !t.deleted), sort)
  }

  /**
   * A topic with its comments nested and their scores.
   *
   * @example
   * ```ts
   * const { topic, comments } = forum.show('devsupport', id)
   * ```
   */
  show (community: string, id: string): TopicThread {
    const fold = this.joined(community)
    if (!ITEM_ID.test(id)) throw new OaError('bad_id', `"${id.slice(0, 64)}" is not a topic id (26 characters, as \`forum post\` prints)`)
    const thread = fold.thread(id)
    if (thread == null) throw new OaError('no_topic', `no topic ${id} in ${community}`, { status: 404 })
    return thread
  }

  /**
   * Topics found by meaning through memory (records of kind `forum_post`), best first.
   *
   * @example
   * ```ts
   * const hits = await forum.search('devsupport', 'which index for large collections', 5)
   * ```
   */
  async search (community: string, query: string, k = 5): Promise<SearchHitView[]> {
    const fold = this.joined(community)
    if (this.records == null) throw new OaError('memory_off', 'forum search goes through memory, which is off on this node', { status: 409 })
    if (query.trim() === '') throw new OaError('bad_query', 'the query is empty')
    const out: SearchHitView[] = []
    for (const hit of await this.records.search(community, query, k)) {
      const topic = fold.topic(hit.topic)
      if (topic == null || topic.deleted) continue
      out.push({ topic, score: hit.score, scoreKind: hit.scoreKind, ...(hit.similarity == null ? {} : { similarity: hit.similarity }) })
    }
    return out
  }

  /**
   * Every operation this node holds of a community's forum as events, in (timestamp, id)
   * order: what the social mod folds at start (channel history may have pruned them).
   *
   * @example
   * ```ts
   * for (const event of forum.operationEvents('devsupport')) fold.add(event)
   * ```
   */
  operationEvents (community: string): EventJson[] {
    return this.operations(community).map(op => ({ ...op, channel: FORUM_CHANNEL, time: new Date(op.timestamp).toISOString() }))
  }

  /** Every operation this node holds of a community's forum, in (timestamp, id) order. */
  operations (community: string): ForumOp[] {
    return this.joined(community).operations()
  }

  /** Resolves once the memory records of the topics folded so far are written. */
  async settled (): Promise<void> {
    await this.records?.settled()
  }

  status (): ForumStatus {
    const communities: ForumStatus['communities'] = {}
    for (const [community, fold] of this.folds) {
      const snapshot = fold.snapshot()
      communities[community] = {
        topics: snapshot.threads.length,
        comments: snapshot.threads.reduce((n, t) => n + t.topic.comments, 0),
        operations: fold.operations().length
      }
    }
    return { communities, refused: this.rejections.snapshot(), refusedCalls: this.refusedCalls.snapshot() }
  }
}
