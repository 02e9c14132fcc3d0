/**
 * The wiki mod: pages by slug with markdown bodies and a revision history, each revision
 * a signed operation naming its parent; the owner edits, others propose; concurrent edits
 * converge to one head on every replica. See docs/mods.md#wiki.
 *
 * @example
 * ```ts
 * const wiki = node.service<WikiService>('wiki')!
 * await wiki.create('devsupport', 'hnsw-tuning', '# HNSW tuning\n\nRaise ef for recall.')
 * const out = await wiki.edit('devsupport', 'hnsw-tuning', '# HNSW tuning\n\nSet ef >= k.')
 * ```
 */
export { wikiMod } from './mod.js'
export { WikiService } from './service.js'
export type { PageSummary, PageView, EditOutcome, WikiProposalEvent, ActAs } from './service.js'
export type { WikiFacade } from './facade.js'
export type { Revision, Proposal, PageState } from './page-fold.js'
export type { ProtectionLevel } from './events.js'
export { WIKI_CHANNEL, PROTECTION_LEVELS, MAX_BODY_BYTES, SLUG } from './events.js'
export { WIKI_PROTOCOL } from './events.js'
