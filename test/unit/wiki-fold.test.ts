import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WikiFold } from '../../src/mods/wiki/fold.js'
import { toWikiOp } from '../../src/mods/wiki/operation.js'
import type { WikiOp } from '../../src/mods/wiki/operation.js'
import type { PageState } from '../../src/mods/wiki/page-fold.js'

const SLUG = 'hnsw-tuning'
let counter = 0

/** A wiki operation as the pipeline hands it over: `peer` is the author's node. */
function op (type: string, peer: string, timestamp: number, payload: Record<string, unknown>, id = `op${String(++counter).padStart(4, '0')}`): WikiOp {
  const parsed = toWikiOp({ id, type, source: `user@${peer}`, timestamp, payload: { slug: SLUG, ...payload } })
  if (parsed == null) throw new Error(`not a wiki operation: ${type} ${JSON.stringify(payload)}`)
  return parsed
}

const noAdmins = (): boolean => false

/** What must match on every replica. */
function snapshot (page: PageState | undefined): unknown {
  if (page == null) return null
  return {
    head: page.head.id,
    revisions: page.revisions.map(r => [r.number, r.id, r.parent, r.kind, r.body]),
    leaves: page.leaves,
    protection: page.protection,
    proposals: page.proposals.map(p => [p.id, p.status, p.decidedBy]),
    refused: [...page.refused].sort(),
    held: [...page.held].sort()
  }
}

describe('the wiki fold', () => {
  it('an edit that arrives before its page is held, then checked against the page\'s owner once it arrives', () => {
    const fold = new WikiFold(noAdmins)
    const create = op('wiki.page.create', 'A', 1000, { body: '# v1' })
    const forged = op('wiki.page.edit', 'B', 2000, { parent: create.id, body: 'forged' })
    const owners = op('wiki.page.edit', 'A', 3000, { parent: create.id, body: '# v2' })
    fold.add(forged)
    fold.add(owners)
    expect(fold.page(SLUG)).toBeUndefined()
    expect(fold.refusal(forged)).toBeUndefined()
    fold.add(create)
    const page = fold.page(SLUG)
    expect(page?.head.id).toBe(owners.id)
    expect(page?.refused.get(forged.id)).toBe('owner')
    expect(page?.revisions.map(r => r.id)).toEqual([create.id, owners.id])
    // now that the page is held, the wire rule refuses the same kind of edit at once
    expect(fold.refusal(op('wiki.page.edit', 'B', 4000, { parent: owners.id, body: 'again' }))).toBe('owner')
    expect(fold.add(owners)).toBe(false)
  })

  it('protection: open pages take any member\'s edit, locked pages refuse proposals; only the owner protects', () => {
    const fold = new WikiFold(noAdmins)
    const create = op('wiki.page.create', 'A', 1000, { body: 'v1' })
    const strangerProtect = op('wiki.page.protect', 'B', 1500, { level: 'open' })
    const open = op('wiki.page.protect', 'A', 2000, { level: 'open' })
    const memberEdit = op('wiki.page.edit', 'B', 2500, { parent: create.id, body: 'v2 by B' })
    const lock = op('wiki.page.protect', 'A', 3000, { level: 'locked' })
    const lateProposal = op('wiki.proposal.submit', 'C', 3500, { parent: memberEdit.id, body: 'please' })
    const lateEdit = op('wiki.page.edit', 'B', 3600, { parent: memberEdit.id, body: 'v3 by B' })
    for (const o of [lateEdit, lateProposal, lock, memberEdit, open, strangerProtect, create]) fold.add(o)
    const page = fold.page(SLUG)
    expect(page?.protection).toBe('locked')
    expect(page?.head.id).toBe(memberEdit.id)
    expect(page?.refused.get(strangerProtect.id)).toBe('owner')
    expect(page?.refused.get(lateProposal.id)).toBe('locked')
    expect(page?.refused.get(lateEdit.id)).toBe('owner')
    expect(page?.proposals).toEqual([])
  })

  it('an accept that arrives before its proposal is held; a later creation of the slug is refused; admins own pages', () => {
    const adminB = (peer: string): boolean => peer === 'B'
    const fold = new WikiFold(adminB)
    const create = op('wiki.page.create', 'A', 1000, { body: 'v1' })
    const second = op('wiki.page.create', 'C', 1100, { body: 'mine' })
    const proposal = op('wiki.proposal.submit', 'C', 1200, { parent: create.id, body: 'v2 from C' })
    const accept = op('wiki.proposal.accept', 'B', 1300, { proposal: proposal.id, parent: create.id })
    fold.add(create)
    fold.add(second)
    fold.add(accept)
    expect(fold.page(SLUG)?.held).toEqual([accept.id])
    fold.add(proposal)
    const page = fold.page(SLUG)
    expect(page?.head).toMatchObject({ id: accept.id, kind: 'accept', body: 'v2 from C', proposal: proposal.id })
    expect(page?.proposals[0]).toMatchObject({ id: proposal.id, status: 'accepted', decidedBy: accept.id })
    expect(page?.refused.get(second.id)).toBe('slug_taken')
    expect(page?.creator).toBe('user@A')
  })

  it('any order and any duplication of an operation set, and a rebuild from what a replica stored, give three replicas one head and one history', () => {
    const peers = ['A', 'B', 'C'] as const
    // an operation set: kinds, authors, times and the earlier operations they name
    const step = fc.record({
      kind: fc.constantFrom('create', 'edit', 'edit', 'edit', 'revert', 'protect', 'submit', 'accept', 'reject'),
      peer: fc.constantFrom(...peers),
      dt: fc.integer({ min: -50, max: 200 }),
      ref: fc.nat(),
      ref2: fc.nat(),
      level: fc.constantFrom('open', 'protected', 'locked')
    })
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(), { minLength: 75, maxLength: 75 }), fc.array(fc.nat(), { maxLength: 30 }), (steps, shuffles, dupes) => {
      const ops: WikiOp[] = []
      const ids: string[] = []
      const proposals: string[] = []
      let t = 1000
      for (const [i, s] of steps.entries()) {
        t += s.dt
        const id = `x${String(i).padStart(3, '0')}`
        // parents are earlier operations (some not revisions) or an id no one holds
        const parent = ids.length === 0 || s.ref % 7 === 0 ? 'missing' : ids[s.ref % ids.length]!
        const proposal = proposals.length === 0 ? 'missing' : proposals[s.ref % proposals.length]!
        const merges = ids.length > 1 && s.ref2 % 3 === 0 ? { merges: [ids[s.ref2 % ids.length]!] } : {}
        const o = s.kind === 'create'
          ? op('wiki.page.create', s.peer, t, { body: `created ${i}` }, id)
          : s.kind === 'edit'
            ? op('wiki.page.edit', s.peer, t, { parent, body: `edit ${i}`, ...merges }, id)
            : s.kind === 'revert'
              ? op('wiki.page.edit', s.peer, t, { parent, body: 'old body', revertOf: parent }, id)
              : s.kind === 'protect'
                ? op('wiki.page.protect', s.peer, t, { level: s.level }, id)
                : s.kind === 'submit'
                  ? op('wiki.proposal.submit', s.peer, t, { parent, body: `proposal ${i}` }, id)
                  : s.kind === 'accept'
                    ? op('wiki.proposal.accept', s.peer, t, { proposal, parent, ...merges }, id)
                    : op('wiki.proposal.reject', s.peer, t, { proposal }, id)
        if (s.kind === 'submit') proposals.push(id)
        ids.push(id)
        ops.push(o)
      }
      const isAdmin = (peer: string): boolean => peer === 'C'
      // three replicas: each gets the set in its own order, some operations several times
      const orders = [0, 1, 2].map(r => {
        const order = [...ops, ...dupes.map(d => ops[d % ops.length]!)]
        for (let i = order.length - 1; i > 0; i--) {
          const j = (shuffles[(i + r * 25) % shuffles.length]! + r * 7) % (i + 1)
          ;[order[i], order[j]] = [order[j]!, order[i]!]
        }
        return order
      })
      const replicas = orders.map(order => {
        const fold = new WikiFold(isAdmin)
        for (const o of order) fold.add(o)
        return fold
      })
      // a restart: the fold rebuilt from the operations one replica holds, in its stored order
      const rebuilt = new WikiFold(isAdmin)
      for (const o of [...replicas[0]!.operations()].sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id))) rebuilt.add(o)
      const first = snapshot(replicas[0]!.page(SLUG))
      for (const fold of [...replicas.slice(1), rebuilt]) expect(snapshot(fold.page(SLUG))).toEqual(first)
      const page = replicas[0]!.page(SLUG)
      if (page != null) {
        // the head is the greatest leaf, and every leaf is a revision no other names
        const leaves = page.revisions.filter(r => page.leaves.includes(r.id))
        expect(page.head.id).toBe(leaves[leaves.length - 1]?.id)
        expect(new Set(page.revisions.map(r => r.id)).size).toBe(page.revisions.length)
      }
    }), { numRuns: 300 })
  })
})
