/**
 * The forum: topics, nested comments and votes in each community, replicated as signed
 * events on its `forum` channel and folded so that every node converges.
 *
 * @example
 * ```ts
 * const forum = node.service('forum') as ForumService
 * const topic = await forum.post('devsupport', { title: 'HNSW or IVF_FLAT for 10M vectors?', tags: ['milvus'] })
 * await forum.comment('devsupport', topic.id, 'HNSW if memory allows')
 * forum.list('devsupport', 'top')
 * ```
 */
export { forumMod } from './mod.js'
export { ForumService, API_REFUSALS } from './service.js'
export type { ForumComponents, ForumInit, ForumEvents, ForumStatus, SearchHitView, ApiRefusal } from './service.js'
export { ForumFold, FOLD_REFUSALS } from './fold.js'
export type { ForumOp, FoldRefusal } from './fold.js'
export { FORUM_CHANNEL, FORUM_EVENTS, FORUM_TYPES, FORUM_PROTOCOL, MAX_DEPTH, MAX_TITLE_CHARS, MAX_BODY_BYTES, MAX_TAGS, TOPIC_CREATE, TOPIC_EDIT, TOPIC_DELETE, COMMENT_POST, COMMENT_EDIT, COMMENT_DELETE, VOTE_CAST } from './events.js'
export type { Vote } from './events.js'
export { sortTopics, SORTS } from './views.js'
export type { TopicView, CommentView, TopicThread, TopicSort } from './views.js'
export { forumFacade } from './facade.js'
export type { ForumFacade } from './facade.js'
