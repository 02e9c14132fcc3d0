import { z } from 'zod'
import type { EventSpec } from '../../events/registry.js'
import type { OperationKind } from '../oplog/sync.js'

/** The channel of every community the forum's operations travel on: `oa/1/<community>/ch/forum`. */
export const FORUM_CHANNEL = 'forum'

export const TOPIC_CREATE = 'forum.topic.create'
export const TOPIC_EDIT = 'forum.topic.edit'
export const TOPIC_DELETE = 'forum.topic.delete'
export const COMMENT_POST = 'forum.comment.post'
export const COMMENT_EDIT = 'forum.comment.edit'
export const COMMENT_DELETE = 'forum.comment.delete'
export const VOTE_CAST = 'forum.vote.cast'

/** Every forum operation type. */
export const FORUM_TYPES: ReadonlySet<string> = new Set([TOPIC_CREATE, TOPIC_EDIT, TOPIC_DELETE, COMMENT_POST, COMMENT_EDIT, COMMENT_DELETE, VOTE_CAST])

/** The forum's catch-up protocol: every operation of a community, not only the recent ones channel history keeps. */
export const FORUM_PROTOCOL = '/oa/forum/1.0.0'

/** The forum's operations as the shared operation log knows them (`forum.db`, `/oa/forum/1.0.0`). */
export const FORUM_KIND: OperationKind = { protocol: FORUM_PROTOCOL, channel: FORUM_CHANNEL, types: FORUM_TYPES, name: 'forum' }

export const MAX_TITLE_CHARS = 300
export const MAX_BODY_BYTES = 65_536
export const MAX_TAGS = 10
/** Comments nest up to this level: a comment on a topic is level 1. */
export const MAX_DEPTH = 5

/** Topics and comments are named by the id of the envelope that made them: a ULID. */
export const ITEM_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/

const id = z.string().regex(ITEM_ID, 'not an item id (the 26-character id of a topic or comment)')
const title = z.string().trim().min(1, 'the title is empty').max(MAX_TITLE_CHARS, `a title is at most ${MAX_TITLE_CHARS} characters`)
const body = z.string().refine(b => Buffer.byteLength(b) <= MAX_BODY_BYTES, `a body is at most ${MAX_BODY_BYTES} bytes`)
const tag = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'a tag is 1-32 characters of a-z, 0-9, "_", "-", "."')
const tags = z.array(tag).max(MAX_TAGS, `at most ${MAX_TAGS} tags`)

export const topicCreatePayload = z.strictObject({ title, body, tags })
export const topicEditPayload = z.strictObject({ topic: id, title: title.optional(), body: body.optional(), tags: tags.optional(), accepted: id.nullable().optional() })
  .refine(p => p.title != null || p.body != null || p.tags != null || p.accepted !== undefined, 'an edit changes the title, the body, the tags or the accepted answer')
export const topicDeletePayload = z.strictObject({ topic: id })
export const commentPostPayload = z.strictObject({ topic: id, parent: id.optional(), body: body.refine(b => b.trim() !== '', 'the comment is empty') })
export const commentEditPayload = z.strictObject({ comment: id, body: body.refine(b => b.trim() !== '', 'the comment is empty') })
export const commentDeletePayload = z.strictObject({ comment: id })
export const VOTES = ['up', 'down', 'none'] as const
export type Vote = typeof VOTES[number]
export const voteCastPayload = z.strictObject({ target: id, vote: z.enum(VOTES) })

export type TopicCreate = z.infer<typeof topicCreatePayload>
export type TopicEdit = z.infer<typeof topicEditPayload>
export type CommentPost = z.infer<typeof commentPostPayload>
export type VoteCast = z.infer<typeof voteCastPayload>

/** The payload schema of each forum operation type. */
export const FORUM_PAYLOADS: Readonly<Record<string, z.ZodType>> = {
  [TOPIC_CREATE]: topicCreatePayload,
  [TOPIC_EDIT]: topicEditPayload,
  [TOPIC_DELETE]: topicDeletePayload,
  [COMMENT_POST]: commentPostPayload,
  [COMMENT_EDIT]: commentEditPayload,
  [COMMENT_DELETE]: commentDeletePayload,
  [VOTE_CAST]: voteCastPayload
}

/** The registry entries: the envelope pipeline checks each payload and that its author may write to the community. */
export const FORUM_EVENTS: EventSpec[] = [
  { type: TOPIC_CREATE, payload: topicCreatePayload, description: 'a topic: title, markdown body, tags' },
  { type: TOPIC_EDIT, payload: topicEditPayload, description: 'its author changes a topic\'s title, body, tags or accepted answer (a comment of the topic, or null); the latest edit by (timestamp, id) wins each field' },
  { type: TOPIC_DELETE, payload: topicDeletePayload, description: 'its author deletes a topic, leaving a tombstone' },
  { type: COMMENT_POST, payload: commentPostPayload, description: 'a comment on a topic, or a reply to a comment (up to 5 levels)' },
  { type: COMMENT_EDIT, payload: commentEditPayload, description: 'its author changes a comment\'s body' },
  { type: COMMENT_DELETE, payload: commentDeletePayload, description: 'its author deletes a comment, leaving a tombstone' },
  { type: VOTE_CAST, payload: voteCastPayload, description: 'an agent\'s vote on a topic or comment (up, down, none); its latest by (timestamp, id) counts' }
]
