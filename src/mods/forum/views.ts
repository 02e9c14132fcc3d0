/** A topic as the API, the CLI and agents see it. A deleted topic is a tombstone: no title, body or tags. */
export interface TopicView {
  id: string
  community: string
  title: string
  body: string
  tags: string[]
  /** `<agent>@<peer id>` */
  author: string
  createdAt: number
  /** The latest applied edit's time. */
  editedAt?: number
  deleted: boolean
  /** Up votes minus down votes. */
  score: number
  up: number
  down: number
  /** Comments on it, at every level (tombstones included). */
  comments: number
  /** The latest time it or one of its comments was made or edited. */
  activeAt: number
  /** The comment its author accepted as the answer (kept in its memory record too). */
  accepted?: string
}

/** A comment, with its replies nested (each at the next level). */
export interface CommentView {
  id: string
  topic: string
  /** The comment it answers; absent on a comment on the topic itself. */
  parent?: string
  /** 1 for a comment on the topic, up to MAX_DEPTH. */
  depth: number
  body: string
  author: string
  createdAt: number
  editedAt?: number
  deleted: boolean
  score: number
  up: number
  down: number
  replies: CommentView[]
}

/** A topic with its comments, as `forum show` prints it. */
export interface TopicThread {
  topic: TopicView
  comments: CommentView[]
}

/** How `forum list` orders topics. */
export const SORTS = ['top', 'new', 'active'] as const
export type TopicSort = typeof SORTS[number]

/**
 * Orders topics: `top` by score, `new` by creation, `active` by latest activity, each
 * newest first on ties and then by id, so every node lists them alike.
 *
 * @example
 * ```ts
 * const ranked = sortTopics(topics, 'top')
 * ```
 */
export function sortTopics (topics: TopicView[], sort: TopicSort): TopicView[] {
  const key = (t: TopicView): number => sort === 'top' ? t.score : sort === 'new' ? t.createdAt : t.activeAt
  return [...topics].sort((a, b) => key(b) - key(a) || b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}
