/** Kind of a channel post or reply that capture wrote into memory. */
export const CHANNEL_MESSAGE = 'channel_message'

/** Kind of a direct request and its response that capture wrote into memory. */
export const DIRECT_EXCHANGE = 'direct_exchange'

/**
 * The kinds capture writes, and `message`, the kind earlier versions gave captured posts
 * (they gave captured exchanges `collaboration_history`, which the coordinator writes too).
 *
 * @example
 * ```ts
 * const knowledge = await memory.recall('devsupport', 'HNSW M', { excludeKinds: [...CAPTURED_KINDS] })
 * ```
 */
export const CAPTURED_KINDS: readonly string[] = [CHANNEL_MESSAGE, DIRECT_EXCHANGE, 'message']

/** Kind of a wiki page's record: the head revision's body, one record per page, written by the page owner's node. */
export const WIKI_PAGE = 'wiki_page'

/** Kind of a forum topic written into memory by its author's node (updated on edit, tombstoned on delete). */
export const FORUM_POST = 'forum_post'
