import type { EditOutcome, PageSummary, PageView, WikiService } from './service.js'
import type { ProtectionLevel } from './events.js'
import type { Proposal, Revision } from './page-fold.js'
import type { FacadeAgent } from '../contract.js'

/** What an agent may do with its community's wiki (`this.wiki`, or `this.mods.wiki`), as itself. */
export interface WikiFacade {
  list: () => PageSummary[]
  show: (slug: string, revision?: number | string) => PageView
  history: (slug: string) => Array<Omit<Revision, 'body'>>
  /** The proposals of a page, or of every page. */
  proposals: (slug?: string) => Array<Proposal & { slug: string }>
  create: (slug: string, body: string, options?: { summary?: string }) => Promise<PageView>
  /** A revision when the agent's node may change the page directly, otherwise a proposal to its owner. */
  edit: (slug: string, body: string, options?: { summary?: string, mode?: 'auto' | 'direct' | 'propose' }) => Promise<EditOutcome>
  accept: (proposalId: string) => Promise<{ revision: Revision, page: PageView }>
  reject: (proposalId: string, reason?: string) => Promise<Proposal>
  revert: (slug: string, revision: number | string) => Promise<{ revision: Revision, page: PageView }>
  protect: (slug: string, level: ProtectionLevel) => Promise<PageView>
}

/**
 * The wiki facade of one agent: its own community, as itself.
 *
 * @example
 * ```ts
 * // in an Agent
 * const out = await this.wiki.edit('hnsw-tuning', '# HNSW tuning\n\nSet ef >= k.')
 * ```
 */
export function wikiFacade (service: WikiService, agent: FacadeAgent): WikiFacade {
  const c = agent.community
  const as = { agent: agent.name }
  return {
    list: () => service.list(c),
    show: (slug, revision) => service.show(c, slug, revision),
    history: (slug) => service.history(c, slug),
    proposals: (slug) => service.proposals(c, slug),
    create: async (slug, body, options = {}) => service.create(c, slug, body, { ...options, ...as }),
    edit: async (slug, body, options = {}) => service.edit(c, slug, body, { ...options, ...as }),
    accept: async (id) => service.accept(c, id, as),
    reject: async (id, reason) => service.reject(c, id, { ...as, reason }),
    revert: async (slug, revision) => service.revert(c, slug, revision, as),
    protect: async (slug, level) => service.protect(c, slug, level, as)
  }
}
