import { DEFAULT_PROTECTION, PAGE_CREATE, PAGE_EDIT, PAGE_PROTECT, PROPOSAL_ACCEPT, PROPOSAL_REJECT, PROPOSAL_SUBMIT } from './events.js'
import { compareOps } from './operation.js'
import type { ProtectionLevel } from './events.js'
import type { WikiOp } from './operation.js'

/** Is this peer an admin of the page's community at that time (private communities; open ones have none unless made with admins)? */
export type AdminCheck = (peer: string, at: number) => boolean

/** Why the fold refuses an operation it holds. */
export type WikiRefusal = 'owner' | 'locked' | 'slug_taken'

/** One revision of a page. */
export interface Revision {
  /** Its place in the history, from 1, by (timestamp, id). */
  number: number
  id: string
  parent?: string
  /** Other leaves it superseded (a conflict resolved). */
  merges?: string[]
  author: string
  timestamp: number
  kind: 'create' | 'edit' | 'revert' | 'accept'
  body: string
  summary?: string
  /** The proposal an `accept` revision took its body from. */
  proposal?: string
  /** The revision a `revert` restored. */
  revertOf?: string
}

export interface Proposal {
  id: string
  author: string
  timestamp: number
  parent: string
  body: string
  summary?: string
  status: 'open' | 'accepted' | 'rejected'
  /** The accepting revision, or the rejection. */
  decidedBy?: string
  reason?: string
}

/** A page as every replica holding the same operations sees it. */
export interface PageState {
  slug: string
  /** `<agent>@<peer id>` of the creator; its node owns the page (with the admins of a private community). */
  creator: string
  ownerPeer: string
  createdAt: number
  protection: ProtectionLevel
  revisions: Revision[]
  /** The revision shown: the leaf greatest by (timestamp, id). */
  head: Revision
  /** Revisions no other revision names as parent; more than one is a conflict to merge. */
  leaves: string[]
  proposals: Proposal[]
  /** Operations refused, by id. */
  refused: Map<string, WikiRefusal>
  /** Operations held until what they name arrives (a parent revision, a proposal). */
  held: string[]
}

function isOwner (op: WikiOp, ownerPeer: string, isAdmin: AdminCheck): boolean {
  return op.peer === ownerPeer || isAdmin(op.peer, op.timestamp)
}

/** The protection in effect for an operation: set by the owner's latest protect before it, by (timestamp, id). */
function levelAt (protects: WikiOp[], op: { timestamp: number, id: string }): ProtectionLevel {
  let level: ProtectionLevel = DEFAULT_PROTECTION
  for (const p of protects) {
    if (compareOps(p, op) >= 0) break
    if (p.type === PAGE_PROTECT) level = p.payload.level
  }
  return level
}

/**
 * Why the page's state refuses an operation, or undefined when it may stand. Used by the
 * fold and by the wire rule, so both decide alike.
 */
export function refusalOf (op: WikiOp, page: { creatorOp: WikiOp, protects: WikiOp[] }, isAdmin: AdminCheck): WikiRefusal | undefined {
  const ownerPeer = page.creatorOp.peer
  switch (op.type) {
    case PAGE_CREATE:
      return op.id === page.creatorOp.id ? undefined : 'slug_taken'
    case PAGE_EDIT:
      return isOwner(op, ownerPeer, isAdmin) || levelAt(page.protects, op) === 'open' ? undefined : 'owner'
    case PAGE_PROTECT:
    case PROPOSAL_ACCEPT:
    case PROPOSAL_REJECT:
      return isOwner(op, ownerPeer, isAdmin) ? undefined : 'owner'
    case PROPOSAL_SUBMIT:
      return levelAt(page.protects, op) === 'locked' && !isOwner(op, ownerPeer, isAdmin) ? 'locked' : undefined
  }
}

/** The creation that names the page and the owner's protect operations, in order. */
export function pageBasis (ops: Iterable<WikiOp>, isAdmin: AdminCheck): { creatorOp: WikiOp, protects: WikiOp[] } | undefined {
  let creatorOp: WikiOp | undefined
  const protects: WikiOp[] = []
  for (const op of ops) {
    if (op.type === PAGE_CREATE && (creatorOp == null || compareOps(op, creatorOp) < 0)) creatorOp = op
    if (op.type === PAGE_PROTECT) protects.push(op)
  }
  if (creatorOp == null) return undefined
  const owner = creatorOp.peer
  return { creatorOp, protects: protects.filter(p => isOwner(p, owner, isAdmin)).sort(compareOps) }
}

/**
 * Folds the operations held for one page into its state. A pure function of the set of
 * operations (and the community's admins): replicas holding the same operations, received
 * in any order and any number of times, reach the same state.
 *
 * - The page is its earliest creation by (timestamp, id); a later creation of the slug is refused.
 * - A revision (create, edit, accept) counts once its parent counts; a cycle or a missing parent is held.
 * - The head is the leaf revision greatest by (timestamp, id); other leaves are a conflict,
 *   which a revision naming them in `merges` resolves.
 *
 * @example
 * ```ts
 * const page = foldPage([createOp, editOp], () => false)
 * page?.head.body
 * ```
 */
export function foldPage (ops: Iterable<WikiOp>, isAdmin: AdminCheck): PageState | undefined {
  const all = [...ops].sort(compareOps)
  const basis = pageBasis(all, isAdmin)
  if (basis == null) return undefined
  const { creatorOp } = basis
  const refused = new Map<string, WikiRefusal>()
  const submits = new Map<string, WikiOp & { type: typeof PROPOSAL_SUBMIT }>()
  for (const op of all) {
    const why = refusalOf(op, basis, isAdmin)
    if (why != null) refused.set(op.id, why)
    else if (op.type === PROPOSAL_SUBMIT) submits.set(op.id, op)
  }
  const revisions = new Map<string, Omit<Revision, 'number'>>()
  const root = creatorOp.type === PAGE_CREATE ? creatorOp : undefined
  if (root == null) return undefined
  revisions.set(root.id, { id: root.id, author: root.source, timestamp: root.timestamp, kind: 'create', body: root.payload.body, ...(root.payload.summary == null ? {} : { summary: root.payload.summary }) })
  // revisions join once their parent has: repeat until nothing more joins
  let pending = all.filter(op => (op.type === PAGE_EDIT || op.type === PROPOSAL_ACCEPT) && !refused.has(op.id))
  for (let grew = true; grew;) {
    grew = false
    const rest: WikiOp[] = []
    for (const op of pending) {
      if (op.type !== PAGE_EDIT && op.type !== PROPOSAL_ACCEPT) continue
      const parent = op.payload.parent
      if (!revisions.has(parent)) { rest.push(op); continue }
      const merged = op.payload.merges == null || op.payload.merges.length === 0 ? {} : { merges: op.payload.merges }
      if (op.type === PAGE_EDIT) {
        const revertOf = op.payload.revertOf
        revisions.set(op.id, { id: op.id, parent, ...merged, author: op.source, timestamp: op.timestamp, kind: revertOf == null ? 'edit' : 'revert', body: op.payload.body, ...(op.payload.summary == null ? {} : { summary: op.payload.summary }), ...(revertOf == null ? {} : { revertOf }) })
      } else {
        const proposal = submits.get(op.payload.proposal)
        if (proposal == null) { rest.push(op); continue }
        revisions.set(op.id, { id: op.id, parent, ...merged, author: op.source, timestamp: op.timestamp, kind: 'accept', body: proposal.payload.body, proposal: proposal.id, ...(proposal.payload.summary == null ? {} : { summary: proposal.payload.summary }) })
      }
      grew = true
    }
    pending = rest
  }
  const ordered = [...revisions.values()].sort(compareOps).map((r, i) => ({ ...r, number: i + 1 }))
  const parents = new Set(ordered.flatMap(r => [r.parent, ...(r.merges ?? [])]).filter(p => p != null))
  const leaves = ordered.filter(r => !parents.has(r.id))
  // a leaf always exists: revisions join only below one already held
  const head = leaves.at(-1)
  if (head == null) return undefined
  const proposals = [...submits.values()].map((s): Proposal => {
    const accept = ordered.find(r => r.proposal === s.id)
    const rejection = accept == null ? all.find(op => op.type === PROPOSAL_REJECT && op.payload.proposal === s.id && !refused.has(op.id)) : undefined
    const reason = rejection?.type === PROPOSAL_REJECT ? rejection.payload.reason : undefined
    return {
      id: s.id,
      author: s.source,
      timestamp: s.timestamp,
      parent: s.payload.parent,
      body: s.payload.body,
      ...(s.payload.summary == null ? {} : { summary: s.payload.summary }),
      status: accept != null ? 'accepted' : rejection != null ? 'rejected' : 'open',
      ...(accept != null ? { decidedBy: accept.id } : rejection != null ? { decidedBy: rejection.id } : {}),
      ...(reason == null ? {} : { reason })
    }
  })
  return {
    slug: creatorOp.slug,
    creator: creatorOp.source,
    ownerPeer: creatorOp.peer,
    createdAt: creatorOp.timestamp,
    protection: levelAt(basis.protects, { timestamp: Number.MAX_SAFE_INTEGER, id: '' }),
    revisions: ordered,
    head,
    leaves: leaves.map(l => l.id),
    proposals,
    refused,
    held: pending.map(op => op.id)
  }
}
