import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { COMMENT_DELETE, COMMENT_EDIT, COMMENT_POST, MAX_DEPTH, TOPIC_CREATE, TOPIC_DELETE, TOPIC_EDIT, VOTE_CAST } from '../../src/mods/forum/events.js'
import { ForumFold } from '../../src/mods/forum/fold.js'
import type { ForumOp } from '../../src/mods/forum/fold.js'

const C = 'devsupport'
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** The n-th item id: 26 Crockford base32 characters, as envelope ids are. */
const id = (n: number): string => {
  let out = ''
  for (let i = 0, v = n; i < 8; i++, v = Math.floor(v / 32)) out = (CROCKFORD[v % 32] ?? '0') + out
  return `01JABCDEFGHJKMNPQR${out}`
}
const ALICE = 'alice@12D3KooWAlice'
const BOB = 'bob@12D3KooWBob'
const CAROL = 'carol@12D3KooWCarol'

let clock = 1_000
const op = (n: number, type: string, source: string, payload: unknown, timestamp = clock++): ForumOp => ({ id: id(n), type, community: C, source, timestamp, payload })

describe('the forum fold', () => {
  it('nests comments, counts each voter\'s latest vote, applies the author\'s edits and refuses anyone else\'s', () => {
    const fold = new ForumFold(C)
    const topic = op(1, TOPIC_CREATE, ALICE, { title: 'HNSW or IVF_FLAT for 10M vectors?', body: 'Memory is tight.', tags: ['milvus'] })
    const answer = op(2, COMMENT_POST, BOB, { topic: topic.id, body: 'HNSW if memory allows' })
    const reply = op(3, COMMENT_POST, ALICE, { topic: topic.id, parent: answer.id, body: 'How much memory?' })
    for (const o of [topic, answer, reply]) expect(fold.add(o)).toBe(true)
    expect(fold.add(answer)).toBe(false)
    fold.add(op(4, VOTE_CAST, CAROL, { target: answer.id, vote: 'down' }))
    fold.add(op(5, VOTE_CAST, CAROL, { target: answer.id, vote: 'up' }))
    fold.add(op(6, VOTE_CAST, ALICE, { target: answer.id, vote: 'up' }))
    fold.add(op(7, TOPIC_EDIT, ALICE, { topic: topic.id, title: 'HNSW or IVF_FLAT for 10M 768-d vectors?' }))
    const forged = op(8, TOPIC_EDIT, BOB, { topic: topic.id, body: 'forged' })
    expect(fold.refusalOf(forged)).toBe('not_author')
    fold.add(forged)
    const thread = fold.thread(topic.id)
    expect(thread?.topic).toMatchObject({ title: 'HNSW or IVF_FLAT for 10M 768-d vectors?', body: 'Memory is tight.', comments: 2 })
    expect(thread?.comments[0]).toMatchObject({ id: answer.id, depth: 1, score: 2, up: 2, down: 0 })
    expect(thread?.comments[0]?.replies[0]).toMatchObject({ id: reply.id, depth: 2, parent: answer.id })
    expect(fold.refused().get(forged.id)).toBe('not_author')
    // withdrawn
    fold.add(op(9, VOTE_CAST, CAROL, { target: answer.id, vote: 'none' }))
    expect(fold.comment(answer.id)?.score).toBe(1)
    // a delete leaves a tombstone that a later edit does not undo
    fold.add(op(10, COMMENT_DELETE, BOB, { comment: answer.id }))
    fold.add(op(11, COMMENT_EDIT, BOB, { comment: answer.id, body: 'back' }))
    expect(fold.comment(answer.id)).toMatchObject({ deleted: true, body: '' })
    expect(fold.comment(reply.id)?.body).toBe('How much memory?')
  })

  it('shows the answer the topic\'s author accepted, and none once that comment is deleted or when a non-author names one', () => {
    const fold = new ForumFold(C)
    const t = op(300, TOPIC_CREATE, ALICE, { title: 'accepted', body: '', tags: [] })
    const answer = op(301, COMMENT_POST, BOB, { topic: t.id, body: 'the answer' })
    for (const o of [t, answer, op(302, TOPIC_EDIT, CAROL, { topic: t.id, accepted: answer.id })]) fold.add(o)
    expect(fold.topic(t.id)?.accepted).toBeUndefined()
    fold.add(op(303, TOPIC_EDIT, ALICE, { topic: t.id, accepted: answer.id }))
    expect(fold.topic(t.id)?.accepted).toBe(answer.id)
    fold.add(op(304, COMMENT_DELETE, BOB, { comment: answer.id }))
    expect(fold.topic(t.id)?.accepted).toBeUndefined()
  })

  it(`refuses a comment nested deeper than ${MAX_DEPTH} levels, and one under a comment of another topic`, () => {
    const fold = new ForumFold(C)
    const t = op(100, TOPIC_CREATE, ALICE, { title: 'deep', body: '', tags: [] })
    const other = op(101, TOPIC_CREATE, ALICE, { title: 'other', body: '', tags: [] })
    fold.add(t)
    fold.add(other)
    let parent: string | undefined
    for (let level = 1; level <= MAX_DEPTH; level++) {
      const c = op(110 + level, COMMENT_POST, BOB, { topic: t.id, ...(parent == null ? {} : { parent }), body: `level ${level}` })
      expect(fold.refusalOf(c)).toBeUndefined()
      fold.add(c)
      expect(fold.depth(c.id)).toBe(level)
      parent = c.id
    }
    const tooDeep = op(120, COMMENT_POST, BOB, { topic: t.id, parent, body: 'level 6' })
    expect(fold.refusalOf(tooDeep)).toBe('too_deep')
    fold.add(tooDeep)
    expect(fold.refused().get(tooDeep.id)).toBe('too_deep')
    const astray = op(121, COMMENT_POST, BOB, { topic: other.id, parent: id(111), body: 'wrong thread' })
    expect(fold.refusalOf(astray)).toBe('bad_parent')
  })

  it('holds an edit, a vote and a reply that arrive before their topic, and applies them when it does', () => {
    const fold = new ForumFold(C)
    const t = op(200, TOPIC_CREATE, ALICE, { title: 'early', body: 'first', tags: [] })
    const c = op(201, COMMENT_POST, BOB, { topic: t.id, body: 'a comment' })
    fold.add(op(202, TOPIC_EDIT, ALICE, { topic: t.id, body: 'second' }))
    fold.add(op(203, VOTE_CAST, CAROL, { target: t.id, vote: 'up' }))
    fold.add(c)
    expect(fold.topic(t.id)).toBeUndefined()
    expect(fold.snapshot().held).toEqual([c.id])
    fold.add(t)
    expect(fold.topic(t.id)).toMatchObject({ body: 'second', score: 1, comments: 1 })
    expect(fold.snapshot().held).toEqual([])
  })
})

/** A random forum history: topics, comments under topics or earlier comments, edits and deletes by authors and others, votes. */
function history (steps: Array<{ kind: number, who: number, pick: number, vote: number, same: boolean }>): ForumOp[] {
  const people = [ALICE, BOB, CAROL]
  const ops: ForumOp[] = []
  const topics: ForumOp[] = []
  const comments: ForumOp[] = []
  let n = 1_000
  // equal timestamps happen: (timestamp, id) breaks the tie
  let t = 10_000
  for (const s of steps) {
    const who = people[s.who % 3] ?? ALICE
    t += s.same ? 0 : 1
    const kind = topics.length === 0 ? 0 : s.kind % 6
    const anyTopic = topics[s.pick % Math.max(1, topics.length)]
    const anyComment = comments[s.pick % Math.max(1, comments.length)]
    let o: ForumOp
    if (kind === 0) o = op(n++, TOPIC_CREATE, who, { title: `topic ${n}`, body: `body ${n}`, tags: ['x'] }, t)
    else if (kind === 1 || (kind >= 3 && anyComment == null)) {
      const parent = anyComment != null && s.vote % 2 === 0 ? anyComment : undefined
      const topic = parent == null ? anyTopic : { id: (parent.payload as { topic: string }).topic }
      o = op(n++, COMMENT_POST, who, { topic: topic?.id, ...(parent == null ? {} : { parent: parent.id }), body: `comment ${n}` }, t)
    } else if (kind === 2) o = op(n++, TOPIC_EDIT, who, { topic: anyTopic?.id, title: `edited ${n}` }, t)
    else if (kind === 3) o = op(n++, COMMENT_EDIT, who, { comment: anyComment?.id, body: `edited ${n}` }, t)
    else if (kind === 4) o = op(n++, s.vote % 3 === 0 ? COMMENT_DELETE : VOTE_CAST, who, s.vote % 3 === 0 ? { comment: anyComment?.id } : { target: anyComment?.id, vote: ['up', 'down', 'none'][s.vote % 3] }, t)
    else o = op(n++, s.vote % 4 === 0 ? TOPIC_DELETE : VOTE_CAST, who, s.vote % 4 === 0 ? { topic: anyTopic?.id } : { target: anyTopic?.id, vote: ['up', 'down', 'none'][s.vote % 3] }, t)
    ops.push(o)
    if (o.type === TOPIC_CREATE) topics.push(o)
    if (o.type === COMMENT_POST) comments.push(o)
  }
  return ops
}

describe('forum replicas', () => {
  it('end in the same state whatever the order and duplication of delivery, and a rebuild from the stored operations gives it again', () => {
    const step = fc.record({ kind: fc.nat(11), who: fc.nat(2), pick: fc.nat(50), vote: fc.nat(11), same: fc.boolean() })
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (steps, seeds) => {
      const ops = history(steps)
      const folds = seeds.map((seed) => {
        const fold = new ForumFold(C)
        // each replica gets every operation at least once, some twice, in its own order
        const delivered = shuffled([...ops, ...ops.filter((_, i) => (i + seed) % 3 === 0)], seed)
        for (const o of delivered) fold.add(o)
        return fold
      })
      const first = JSON.stringify(folds[0]?.snapshot())
      for (const f of folds) expect(JSON.stringify(f.snapshot())).toBe(first)
      const rebuilt = new ForumFold(C)
      for (const o of folds[1]?.operations() ?? []) rebuilt.add(o)
      expect(JSON.stringify(rebuilt.snapshot())).toBe(first)
    }), { numRuns: 200 })
  })
})

/** A deterministic shuffle (a seeded linear congruential generator). */
function shuffled<T> (items: T[], seed: number): T[] {
  const out = [...items]
  let x = (seed % 2_147_483_647) + 1
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 48_271) % 2_147_483_647
    const j = x % (i + 1)
    const a = out[i] as T
    out[i] = out[j] as T
    out[j] = a
  }
  return out
}
