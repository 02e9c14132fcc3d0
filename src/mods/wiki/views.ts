import type { ProtectionLevel } from './events.js'
import type { PageState, Proposal, Revision } from './page-fold.js'

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

/** The title of a page: its first markdown heading, or its slug. */
export function titleOf (slug: string, body: string): string {
  const heading = /^#{1,6}\s+(.+)$/m.exec(body)
  return heading?.[1]?.trim().slice(0, 200) ?? slug
}

export function summarize (page: PageState): PageSummary {
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

/** Who makes a change: an agent of this node (default `user`), and what the change does. */
export interface ActAs {
  /** The authoring agent of this node; default `user`. */
  agent?: string
  summary?: string
}
