import { foldPage, pageBasis, refusalOf } from './page-fold.js'
import type { AdminCheck, PageState, WikiRefusal } from './page-fold.js'
import type { WikiOp } from './operation.js'

/**
 * The wiki of one community: every operation held, by page, and each page's state folded
 * from them when asked (not kept: who is an admin can change between two questions). Adding an
 * operation twice changes nothing; the order operations arrive in does not matter.
 *
 * @example
 * ```ts
 * const fold = new WikiFold(() => false)
 * fold.add(createOp)
 * fold.page('hnsw-tuning')?.head.body
 * ```
 */
export class WikiFold {
  private readonly ops = new Map<string, Map<string, WikiOp>>()
  private readonly ids = new Set<string>()
  private readonly isAdmin: AdminCheck

  constructor (isAdmin: AdminCheck) {
    this.isAdmin = isAdmin
  }

  /** Adds an operation; false when it was held already. */
  add (op: WikiOp): boolean {
    if (this.ids.has(op.id)) return false
    this.ids.add(op.id)
    let page = this.ops.get(op.slug)
    if (page == null) {
      page = new Map()
      this.ops.set(op.slug, page)
    }
    page.set(op.id, op)
    return true
  }

  has (id: string): boolean {
    return this.ids.has(id)
  }

  /** The page's state, or undefined when no creation of it is held. */
  page (slug: string): PageState | undefined {
    const ops = this.ops.get(slug)
    return ops == null ? undefined : foldPage(ops.values(), this.isAdmin)
  }

  /** The pages that exist (a creation is held), by slug. */
  pages (): PageState[] {
    return [...this.ops.keys()].sort().map(s => this.page(s)).filter(p => p != null)
  }

  /** Every operation held, by page. */
  operations (): WikiOp[] {
    return [...this.ops.values()].flatMap(m => [...m.values()])
  }

  /**
   * Why the page's current state refuses an operation that is not held yet, or undefined:
   * an operation on a page not held yet is not refused (it is held until the page arrives).
   */
  refusal (op: WikiOp): WikiRefusal | undefined {
    const ops = this.ops.get(op.slug)
    if (ops == null) return undefined
    const basis = pageBasis(ops.values(), this.isAdmin)
    if (basis == null) return undefined
    // a creation earlier than the held one would name the page itself
    if (op.type === 'wiki.page.create' && (op.timestamp < basis.creatorOp.timestamp || (op.timestamp === basis.creatorOp.timestamp && op.id < basis.creatorOp.id))) return undefined
    return refusalOf(op, basis, this.isAdmin)
  }
}
