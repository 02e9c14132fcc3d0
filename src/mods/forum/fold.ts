import { COMMENT_DELETE, COMMENT_EDIT, COMMENT_POST, FORUM_PAYLOADS, MAX_DEPTH, TOPIC_CREATE, TOPIC_DELETE, TOPIC_EDIT, VOTE_CAST } from './events.js'
import type { CommentPost, TopicCreate, TopicEdit, VoteCast } from './events.js'
import type { CommentView, TopicThread, TopicView } from './views.js'

/** A forum operation: a channel event of a forum type, as the channels mod hands it on. */
export interface ForumOp {
  id: string
  type: string
  community: string
  source: string
  timestamp: number
  payload: unknown
}

/** Why the fold refused an operation. */
export const FOLD_REFUSALS = ['payload', 'not_author', 'too_deep', 'bad_parent', 'wrong_target'] as const
export type FoldRefusal = typeof FOLD_REFUSALS[number]

interface Item {
  op: ForumOp
  /** Author-made edits and deletes, in (timestamp, id) order once applied. */
  edits: ForumOp[]
  deletes: ForumOp[]
}

interface CommentItem extends Item {
  post: CommentPost
}

interface TopicItem extends Item {
  create: TopicCreate
}

/** (timestamp, id) order: the order edits apply in and votes replace each other by. */
export function before (a: ForumOp, b: ForumOp): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.id < b.id)
}

const byOrder = (a: ForumOp, b: ForumOp): number => before(a, b) ? -1 : before(b, a) ? 1 : 0

const VOTE_VALUE = { up: 1, down: -1, none: 0 } as const

/**
 * The forum of one community, folded from its operations in any order and any number
 * of times: the state depends only on the set of operations held. An operation whose
 * target has not arrived (an edit or vote before its topic, a reply before its parent)
 * is held and takes effect when the target arrives. Edits apply in (timestamp, id)
 * order, each field taking the latest value; a delete leaves a tombstone that no edit
 * undoes; an agent's latest vote on an item, by (timestamp, id), counts. Edits and
 * deletes by anyone but the item's author, and comments nested deeper than MAX_DEPTH,
 * are refused (listed by `refused()`).
 *
 * @example
 * ```ts
 * const fold = new ForumFold('devsupport')
 * fold.add(event)                     // true the first time an id is seen
 * fold.thread(topicId)?.comments      // nested comments with their scores
 * ```
 */
export class ForumFold {
  readonly community: string
  private readonly ops = new Map<string, ForumOp>()
  private readonly topics = new Map<string, TopicItem>()
  private readonly comments = new Map<string, CommentItem>()
  /** Edits and deletes by target id, whatever their author (refused ones are skipped when read). */
  private readonly changes = new Map<string, ForumOp[]>()
  /** The latest vote of each voter, by target id. */
  private readonly votes = new Map<string, Map<string, ForumOp>>()
  private readonly invalid = new Set<string>()

  constructor (community: string) {
    this.community = community
  }

  /** Takes an operation; false when its id is already held (or it is not a forum operation of this community). */
  add (op: ForumOp): boolean {
    if (op.community !== this.community || this.ops.has(op.id)) return false
    const schema = FORUM_PAYLOADS[op.type]
    if (schema == null) return false
    this.ops.set(op.id, op)
    const parsed = schema.safeParse(op.payload)
    if (!parsed.success) {
      this.invalid.add(op.id)
      return true
    }
    const payload = parsed.data as Record<string, unknown>
    switch (op.type) {
      case TOPIC_CREATE: this.topics.set(op.id, { op, create: payload as TopicCreate, edits: [], deletes: [] }); break
      case COMMENT_POST: this.comments.set(op.id, { op, post: payload as CommentPost, edits: [], deletes: [] }); break
      case TOPIC_EDIT: case TOPIC_DELETE: this.change(String(payload.topic), op); break
      case COMMENT_EDIT: case COMMENT_DELETE: this.change(String(payload.comment), op); break
      case VOTE_CAST: {
        const vote = payload as VoteCast
        const voters = this.votes.get(vote.target) ?? new Map<string, ForumOp>()
        this.votes.set(vote.target, voters)
        const held = voters.get(op.source)
        if (held == null || before(held, op)) voters.set(op.source, op)
        break
      }
    }
    return true
  }

  /** Is this operation held? */
  has (id: string): boolean {
    return this.ops.has(id)
  }

  /** Every operation held, in (timestamp, id) order. */
  operations (): ForumOp[] {
    return [...this.ops.values()].sort(byOrder)
  }

  private change (target: string, op: ForumOp): void {
    const list = this.changes.get(target) ?? []
    list.push(op)
    this.changes.set(target, list)
  }

  /**
   * Why an operation held is refused, once that can be told (its target is here);
   * undefined for one that is applied or still waits for its target.
   */
  refusal (id: string): FoldRefusal | undefined {
    const op = this.ops.get(id)
    if (op == null) return undefined
    if (this.invalid.has(id)) return 'payload'
    const payload = op.payload as Record<string, unknown>
    if (op.type === COMMENT_POST) {
      const placed = this.place(id)
      return placed === 'held' || typeof placed === 'number' ? undefined : placed
    }
    if (op.type === TOPIC_EDIT || op.type === TOPIC_DELETE || op.type === COMMENT_EDIT || op.type === COMMENT_DELETE) {
      const onTopic = op.type === TOPIC_EDIT || op.type === TOPIC_DELETE
      const target = String(onTopic ? payload.topic : payload.comment)
      const item = onTopic ? this.topics.get(target) : this.comments.get(target)
      if (item == null) return (onTopic ? this.comments : this.topics).has(target) ? 'wrong_target' : undefined
      return item.op.source === op.source ? undefined : 'not_author'
    }
    return undefined
  }

  /**
   * Why an operation not held yet would be refused given what is held: an edit or delete
   * of a topic or comment by anyone but its author, one naming the wrong kind of item, a
   * reply nested deeper than MAX_DEPTH or under a comment of another topic. Undefined
   * when it would be applied, or its target is not held yet (the fold then holds it).
   */
  refusalOf (op: ForumOp): FoldRefusal | undefined {
    const schema = FORUM_PAYLOADS[op.type]
    if (schema == null) return undefined
    const parsed = schema.safeParse(op.payload)
    if (!parsed.success) return 'payload'
    const payload = parsed.data as Record<string, unknown>
    if (op.type === TOPIC_EDIT || op.type === TOPIC_DELETE || op.type === COMMENT_EDIT || op.type === COMMENT_DELETE) {
      const onTopic = op.type === TOPIC_EDIT || op.type === TOPIC_DELETE
      const target = String(onTopic ? payload.topic : payload.comment)
      const item = onTopic ? this.topics.get(target) : this.comments.get(target)
      if (item == null) return (onTopic ? this.comments : this.topics).has(target) ? 'wrong_target' : undefined
      return item.op.source === op.source ? undefined : 'not_author'
    }
    if (op.type === COMMENT_POST) {
      const post = payload as CommentPost
      if (post.parent == null) return this.comments.has(post.topic) ? 'bad_parent' : undefined
      const parent = this.comments.get(post.parent)
      if (parent == null) return this.topics.has(post.parent) ? 'bad_parent' : undefined
      if (parent.post.topic !== post.topic) return 'bad_parent'
      const depth = this.depth(post.parent)
      return depth != null && depth + 1 > MAX_DEPTH ? 'too_deep' : undefined
    }
    return undefined
  }

  /** The refused operations by id, with why. */
  refused (): Map<string, FoldRefusal> {
    const out = new Map<string, FoldRefusal>()
    for (const id of this.ops.keys()) {
      const why = this.refusal(id)
      if (why != null) out.set(id, why)
    }
    return out
  }

  /** A comment's level (1 on the topic), `held` while its topic or parent is missing, or why it is refused. */
  private place (id: string, seen = 0): number | 'held' | 'too_deep' | 'bad_parent' | 'payload' {
    const item = this.comments.get(id)
    if (item == null) return this.invalid.has(id) ? 'payload' : 'held'
    if (!this.topics.has(item.post.topic)) return this.ops.has(item.post.topic) ? 'bad_parent' : 'held'
    if (item.post.parent == null) return 1
    const parent = this.comments.get(item.post.parent)
    if (parent == null) return this.ops.has(item.post.parent) ? 'bad_parent' : 'held'
    if (parent.post.topic !== item.post.topic) return 'bad_parent'
    // a chain longer than the limit is refused whatever it holds (also a forged cycle)
    if (seen >= MAX_DEPTH) return 'too_deep'
    const up = this.place(item.post.parent, seen + 1)
    if (typeof up !== 'number') return up === 'held' || up === 'too_deep' ? up : 'bad_parent'
    return up + 1 > MAX_DEPTH ? 'too_deep' : up + 1
  }

  /** A comment's level, when it is applied. */
  depth (id: string): number | undefined {
    const placed = this.place(id)
    return typeof placed === 'number' ? placed : undefined
  }

  private applied (id: string, item: Item): { edits: ForumOp[], deleted?: ForumOp } {
    const own = (this.changes.get(id) ?? []).filter(op => op.source === item.op.source && !this.invalid.has(op.id)).sort(byOrder)
    const deleted = own.find(op => op.type === TOPIC_DELETE || op.type === COMMENT_DELETE)
    const edits = own.filter(op => op.type === TOPIC_EDIT || op.type === COMMENT_EDIT)
    return deleted == null ? { edits } : { edits, deleted }
  }

  private score (id: string): { score: number, up: number, down: number } {
    let up = 0
    let down = 0
    for (const op of this.votes.get(id)?.values() ?? []) {
      const value = VOTE_VALUE[(op.payload as VoteCast).vote]
      if (value > 0) up++
      if (value < 0) down++
    }
    return { score: up - down, up, down }
  }

  /** A voter's current vote on an item. */
  voteOf (id: string, voter: string): VoteCast['vote'] {
    const op = this.votes.get(id)?.get(voter)
    return op == null ? 'none' : (op.payload as VoteCast).vote
  }

  /** The author of a topic or applied comment, when it is here. */
  authorOf (id: string): string | undefined {
    return this.topics.get(id)?.op.source ?? (this.depth(id) == null ? undefined : this.comments.get(id)?.op.source)
  }

  /** Is this id a topic or an applied comment here? */
  kindOf (id: string): 'topic' | 'comment' | undefined {
    if (this.topics.has(id)) return 'topic'
    return this.depth(id) == null ? undefined : 'comment'
  }

  /** A topic, when its creation is here. */
  topic (id: string): TopicView | undefined {
    const item = this.topics.get(id)
    if (item == null) return undefined
    const { edits, deleted } = this.applied(id, item)
    let { title, body, tags } = item.create
    let accepted: string | null = null
    for (const edit of edits) {
      const change = edit.payload as TopicEdit
      title = change.title ?? title
      body = change.body ?? body
      tags = change.tags ?? tags
      if (change.accepted !== undefined) accepted = change.accepted
    }
    // an accepted answer is a comment of this topic that is here and not deleted
    const answer = accepted == null ? undefined : this.comments.get(accepted)
    const acceptedAnswer = answer != null && answer.post.topic === id && this.depth(accepted ?? '') != null && this.applied(accepted ?? '', answer).deleted == null ? accepted : undefined
    const mine = [...this.comments.keys()].filter(c => this.comments.get(c)?.post.topic === id && this.depth(c) != null)
    let activeAt = Math.max(item.op.timestamp, ...edits.map(e => e.timestamp))
    for (const c of mine) {
      const comment = this.comments.get(c)
      if (comment == null) continue
      activeAt = Math.max(activeAt, comment.op.timestamp, ...this.applied(c, comment).edits.map(e => e.timestamp))
    }
    const editedAt = edits.at(-1)?.timestamp
    return {
      id,
      community: this.community,
      title: deleted == null ? title : '',
      body: deleted == null ? body : '',
      tags: deleted == null ? [...tags] : [],
      author: item.op.source,
      createdAt: item.op.timestamp,
      ...(editedAt == null ? {} : { editedAt }),
      deleted: deleted != null,
      ...this.score(id),
      comments: mine.length,
      activeAt,
      ...(acceptedAnswer == null || deleted != null ? {} : { accepted: acceptedAnswer })
    }
  }

  /** A comment (with its replies), when it is applied. */
  comment (id: string): CommentView | undefined {
    return this.tree(this.children()).get(id)
  }

  private children (): Map<string, string[]> {
    const out = new Map<string, string[]>()
    for (const [id, item] of this.comments) {
      if (this.depth(id) == null) continue
      const under = item.post.parent ?? item.post.topic
      out.set(under, [...(out.get(under) ?? []), id])
    }
    return out
  }

  private tree (children: Map<string, string[]>): Map<string, CommentView> {
    const views = new Map<string, CommentView>()
    const build = (id: string): CommentView | undefined => {
      const item = this.comments.get(id)
      const depth = this.depth(id)
      if (item == null || depth == null) return undefined
      const { edits, deleted } = this.applied(id, item)
      let body = item.post.body
      for (const edit of edits) body = (edit.payload as { body: string }).body
      const editedAt = edits.at(-1)?.timestamp
      const replies = (children.get(id) ?? []).map(build).filter((v): v is CommentView => v != null).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      const view: CommentView = {
        id,
        topic: item.post.topic,
        ...(item.post.parent == null ? {} : { parent: item.post.parent }),
        depth,
        body: deleted == null ? body : '',
        author: item.op.source,
        createdAt: item.op.timestamp,
        ...(editedAt == null ? {} : { editedAt }),
        deleted: deleted != null,
        ...this.score(id),
        replies
      }
      views.set(id, view)
      return view
    }
    for (const id of this.comments.keys()) if (!views.has(id)) build(id)
    return views
  }

  /** A topic with its comments nested, oldest first at each level. */
  thread (id: string): TopicThread | undefined {
    const topic = this.topic(id)
    if (topic == null) return undefined
    const children = this.children()
    const views = this.tree(children)
    const comments = (children.get(id) ?? []).map(c => views.get(c)).filter((v): v is CommentView => v != null).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    return { topic, comments }
  }

  /** Every topic whose creation is here (tombstones included). */
  listTopics (): TopicView[] {
    return [...this.topics.keys()].map(id => this.topic(id)).filter((t): t is TopicView => t != null)
  }

  /** Everything a reader can see, in a fixed order: two folds of the same operations give equal snapshots. */
  snapshot (): { threads: TopicThread[], refused: Array<[string, FoldRefusal]>, held: string[] } {
    const threads = [...this.topics.keys()].sort().map(id => this.thread(id)).filter((t): t is TopicThread => t != null)
    const refused = [...this.refused()].sort((a, b) => a[0] < b[0] ? -1 : 1)
    const held = [...this.comments.keys()].filter(id => this.place(id) === 'held').sort()
    return { threads, refused, held }
  }
}
