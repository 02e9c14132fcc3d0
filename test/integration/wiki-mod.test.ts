import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lpStream } from '@libp2p/utils'
import { WIKI_PROTOCOL } from '../../src/mods/wiki/index.js'
import { HistoryRequest, HistoryResponse } from '../../src/wire/generated/event.js'
import { channelTopic } from '../../src/wire/topics.js'
import { createRawPeer, signedBy } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { WikiService } from '../../src/mods/wiki/index.js'
import type { RawPeer } from '../helpers/raw-peer.js'

const C = 'devsupport'
const CURATOR = join(import.meta.dirname, '..', 'fixtures', 'agents', 'wiki-curator.mjs')

const wiki = (node: OaNode): WikiService => {
  const service = node.service<WikiService>('wiki')
  if (service == null) throw new Error('the wiki mod does not run')
  return service
}

/** What a replica shows of a page: its head and its whole history. */
const seen = (node: OaNode, slug: string): { head: string, history: string[] } | undefined => {
  const page = wiki(node).list(C).find(p => p.slug === slug)
  return page == null ? undefined : { head: page.head, history: wiki(node).history(C, slug).map(r => r.id) }
}

const wikiRule = (node: OaNode): number => node.status().rejected.byReason.rule

describe('the wiki mod across three nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  // channel history keeps two messages per channel and backfills one: the wiki must not depend on it
  const layer = (bootstrap?: OaNode, agents: Array<{ name: string, module: string, community: string }> = []) => ({
    communities: [C],
    agents,
    channels: { history: { maxMessagesPerChannel: 2, backfillLimit: 1 } },
    memory: { capture: { '*': [] } },
    ...(bootstrap == null ? {} : { network: { bootstrap: [tcpAddr(bootstrap)] } })
  })

  beforeAll(async () => {
    dir = await tempDir()
    const n1 = await startTestNode(dir.path, 'n1', layer(undefined, [{ name: 'curator', module: CURATOR, community: C }]))
    nodes.push(n1, await startTestNode(dir.path, 'n2', layer(n1)), await startTestNode(dir.path, 'n3', layer(n1)))
    const topic = channelTopic(C, 'wiki')
    await waitFor('every node subscribed to the wiki channel of the others', () =>
      nodes.every(n => n.libp2p.services.pubsub.getSubscribers(topic).length >= 2))
  })

  let raw: RawPeer | undefined

  afterAll(async () => {
    await raw?.stop()
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('a non-owner\'s edit becomes a proposal that only the owner can accept; the page is a memory record', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    expect(n1.status().mods).toContain('wiki')
    const page = await wiki(n1).create(C, 'hnsw-tuning', '# HNSW tuning\n\nRaise ef for better recall.')
    expect(page).toMatchObject({ slug: 'hnsw-tuning', title: 'HNSW tuning', protection: 'protected', revisions: 1 })
    await waitFor('n2 and n3 hold the page', () => [n2, n3].every(n => seen(n, 'hnsw-tuning')?.head === page.head))

    const out = await wiki(n2).edit(C, 'hnsw-tuning', '# HNSW tuning\n\nSet ef >= k, and raise M for high-dimensional vectors.', { summary: 'M too' })
    expect(out.kind).toBe('proposal')
    if (out.kind !== 'proposal') return
    expect(wiki(n2).show(C, 'hnsw-tuning').head).toBe(page.head)
    await expect(wiki(n2).edit(C, 'hnsw-tuning', 'mine', { mode: 'direct' })).rejects.toMatchObject({ code: 'not_owner', status: 403 })
    await waitFor('the owner holds the proposal', () => wiki(n1).proposals(C, 'hnsw-tuning').some(p => p.id === out.proposal.id && p.status === 'open'))
    await waitFor('n3 holds the proposal', () => wiki(n3).proposals(C).some(p => p.id === out.proposal.id))
    await expect(wiki(n3).accept(C, out.proposal.id)).rejects.toMatchObject({ code: 'not_owner', status: 403 })
    await expect(wiki(n2).accept(C, out.proposal.id)).rejects.toMatchObject({ code: 'not_owner', status: 403 })

    const accepted = await wiki(n1).accept(C, out.proposal.id)
    expect(accepted.revision).toMatchObject({ kind: 'accept', proposal: out.proposal.id, parent: page.head, number: 2 })
    await waitFor('every node shows the accepted revision', () => nodes.every(n => n.status() != null && seen(n, 'hnsw-tuning')?.head === accepted.revision.id))
    for (const n of nodes) expect(wiki(n).show(C, 'hnsw-tuning').revision.body).toContain('raise M')
    expect(wiki(n3).proposals(C, 'hnsw-tuning').find(p => p.id === out.proposal.id)?.status).toBe('accepted')
    await expect(wiki(n1).accept(C, out.proposal.id)).rejects.toMatchObject({ code: 'proposal_decided', status: 409 })

    // the owner's node keeps the page's record at its head; replication brings it to the others
    const hit = await waitFor('n3 recalls the page by meaning', async () => {
      const hits = await n3.libp2p.services.memory.recall(C, 'which HNSW parameter for high-dimensional vectors', { kinds: ['wiki_page'] })
      return hits.find(h => h.record.id === 'wiki:hnsw-tuning' && h.record.metadata.revision === accepted.revision.id)
    })
    expect(hit.record).toMatchObject({ kind: 'wiki_page', origin: n1.peerId.toString() })
    expect(hit.record.text).toContain('raise M')
  })

  it('an agent of the owner\'s node gets each live proposal in onWikiProposal and decides it through this.wiki', async () => {
    const [n1, n2] = nodes as [OaNode, OaNode]
    await wiki(n1).create(C, 'curated-ef', '# ef\n\nSearch breadth.')
    await waitFor('n2 holds the curated page', () => seen(n2, 'curated-ef') != null)
    const good = await wiki(n2).edit(C, 'curated-ef', '# ef\n\nSearch breadth: set ef >= k.')
    const bad = await wiki(n2).edit(C, 'curated-ef', '# cats\n\nUnrelated.')
    if (good.kind !== 'proposal' || bad.kind !== 'proposal') throw new Error('a non-owner\'s edit is a proposal')
    await waitFor('n2 sees both proposals decided by the agent', () => {
      const statuses = Object.fromEntries(wiki(n2).proposals(C, 'curated-ef').map(p => [p.id, p.status]))
      return statuses[good.proposal.id] === 'accepted' && statuses[bad.proposal.id] === 'rejected'
    })
    const page = wiki(n2).show(C, 'curated-ef')
    expect(page.revision).toMatchObject({ kind: 'accept', proposal: good.proposal.id, author: `curator@${n1.peerId.toString()}` })
    expect(wiki(n2).proposals(C, 'curated-ef').find(p => p.id === bad.proposal.id)?.reason).toBe('not about HNSW parameters')
  })

  it('a page of the largest body, 256 KiB of markdown, reaches every node in one operation', async () => {
    const [n1] = nodes as [OaNode]
    const line = '- "quoted" \\ text, a tab\tand a line\n'
    const body = `# Big\n\n${line.repeat(Math.floor((256 * 1024 - 9) / Buffer.byteLength(line)))}`.padEnd(256 * 1024, 'x')
    expect(Buffer.byteLength(body)).toBe(256 * 1024)
    const page = await wiki(n1).create(C, 'big-page', body)
    await waitFor('every node holds the big page', () => nodes.every(n => seen(n, 'big-page')?.head === page.head))
    for (const n of nodes) expect(wiki(n).show(C, 'big-page').revision.body).toBe(body)
    await expect(wiki(n1).create(C, 'too-big', `${body}x`)).rejects.toMatchObject({ code: 'body_too_large', status: 413 })
  })

  it('a forged direct edit by a non-owner, published raw through its node\'s channels, is refused on the wire and counted', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    const before = seen(n1, 'hnsw-tuning')
    if (before == null) throw new Error('no page')
    const rules = [wikiRule(n1), wikiRule(n3)]
    const forged = await n2.libp2p.services.channels.publish({
      community: C, channel: 'wiki', type: 'wiki.page.edit', payload: { slug: 'hnsw-tuning', parent: before.head, body: 'forged: ef does not matter' }
    })
    await waitFor('n1 and n3 refused the forged edit by the wiki\'s rule', () => wikiRule(n1) === rules[0]! + 1 && wikiRule(n3) === rules[1]! + 1)
    // its author's own node holds it but its fold refuses it, counted too
    await waitFor('n2 counted the forged edit as refused', () => (wiki(n2).status().rejected as { byReason: { owner: number } }).byReason.owner === 1)
    for (const n of nodes) {
      expect(seen(n, 'hnsw-tuning')).toEqual(before)
      expect(wiki(n).history(C, 'hnsw-tuning').some(r => r.id === forged.id)).toBe(false)
    }
    // the API refuses what the wire refuses: a protect or a revert by a non-owner
    await expect(wiki(n2).protect(C, 'hnsw-tuning', 'open')).rejects.toMatchObject({ code: 'not_owner' })
    await expect(wiki(n3).revert(C, 'hnsw-tuning', 1)).rejects.toMatchObject({ code: 'not_owner' })
  })

  it('concurrent edits on two nodes converge to the same head on all three; the next edit merges the two leaves', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    await wiki(n1).create(C, 'gpu-setup', '# GPU setup\n\nInstall the driver.')
    await waitFor('n2 holds the page', () => seen(n2, 'gpu-setup') != null)
    await wiki(n1).protect(C, 'gpu-setup', 'open')
    await waitFor('n2 sees the page open', () => wiki(n2).show(C, 'gpu-setup').protection === 'open')
    const [a, b] = await Promise.all([
      wiki(n1).edit(C, 'gpu-setup', '# GPU setup\n\nInstall driver 550.'),
      wiki(n2).edit(C, 'gpu-setup', '# GPU setup\n\nInstall CUDA 12 first.')
    ])
    expect(a.kind).toBe('revision')
    expect(b.kind).toBe('revision')
    if (a.kind !== 'revision' || b.kind !== 'revision') return
    expect(a.revision.parent).toBe(b.revision.parent)
    const both = [a.revision.id, b.revision.id]
    await waitFor('all three hold both revisions', () => nodes.every(n => both.every(id => seen(n, 'gpu-setup')?.history.includes(id))))
    const views = nodes.map(n => seen(n, 'gpu-setup'))
    expect(views[1]).toEqual(views[0])
    expect(views[2]).toEqual(views[0])
    const winner = [a.revision, b.revision].sort((x, y) => x.timestamp - y.timestamp || (x.id < y.id ? -1 : 1))[1]!
    expect(views[0]?.head).toBe(winner.id)
    for (const n of nodes) expect(wiki(n).show(C, 'gpu-setup')).toMatchObject({ conflict: true, leaves: expect.arrayContaining(both) as unknown })

    const merged = await wiki(n3).edit(C, 'gpu-setup', '# GPU setup\n\nInstall CUDA 12, then driver 550.')
    if (merged.kind !== 'revision') throw new Error('an open page takes direct edits')
    expect(merged.revision.merges).toHaveLength(1)
    await waitFor('every node shows the merge, with no conflict', () => nodes.every(n => {
      const view = wiki(n).show(C, 'gpu-setup')
      return view.head === merged.revision.id && !view.conflict
    }))
  })

  it('a late joiner and a restarted node see every operation, though channel history keeps two and backfills one', async () => {
    const [n1, , n3] = nodes as [OaNode, OaNode, OaNode]
    await n3.stop()
    nodes.splice(2, 1)
    const whileDown = await wiki(n1).edit(C, 'hnsw-tuning', '# HNSW tuning\n\nSet ef >= k; raise M; rebuild after bulk loads.')
    await wiki(n1).protect(C, 'hnsw-tuning', 'locked')
    const restarted = await startTestNode(dir.path, 'n3', layer(n1))
    nodes.push(restarted)
    const late = await startTestNode(dir.path, 'n4', layer(n1))
    nodes.push(late)
    const expected = ['hnsw-tuning', 'gpu-setup', 'curated-ef', 'big-page'].map(slug => ({ slug, view: seen(n1, slug) }))
    for (const node of [restarted, late]) {
      await waitFor('the node caught up on every page', () => expected.every(({ slug, view }) => JSON.stringify(seen(node, slug)) === JSON.stringify(view)))
      expect(wiki(node).show(C, 'hnsw-tuning')).toMatchObject({ protection: 'locked', revisions: 3 })
      expect(wiki(node).proposals(C, 'hnsw-tuning').map(p => p.status)).toEqual(['accepted'])
    }
    expect(whileDown.kind).toBe('revision')
    // a locked page takes no proposals, at the API
    await expect(wiki(late).edit(C, 'hnsw-tuning', 'please')).rejects.toMatchObject({ code: 'locked', status: 403 })
  })

  it('a private community\'s pages reach its members only', async () => {
    const [n1, n2] = nodes as [OaNode, OaNode]
    const outsider = nodes[3]!
    const P = 'council'
    await n1.libp2p.services.communities.create(P, 'private')
    await n2.libp2p.services.communities.join((await n1.libp2p.services.communities.invite(P, { for: n2.peerId.toString(), role: 'member' })).invite)
    await waitFor('n2 is in the private community', () => n2.communities.includes(P))
    const page = await wiki(n1).create(P, 'budget', '# Budget\n\nSecret numbers.')
    await waitFor('the member holds the page', () => wiki(n2).list(P).some(p => p.slug === 'budget' && p.head === page.head))
    // what travels is sealed: the wire form of the stored operation does not carry the text
    const stored = n1.libp2p.services.channels.envelope(page.head)
    if (stored == null) throw new Error('the operation is not in channel history')
    const wire = n1.libp2p.services.channels.wireForm(stored)
    expect(wire.epoch).toBeGreaterThan(0)
    expect(Buffer.from(wire.payload).toString()).not.toContain('Secret')
    expect(Buffer.from(stored.payload).toString()).toContain('Secret')
    const out = await wiki(n2).edit(P, 'budget', '# Budget\n\nSecret numbers, revised.')
    expect(out.kind).toBe('proposal')
    await waitFor('the owner holds the member\'s proposal', () => wiki(n1).proposals(P).length === 1)
    expect(() => wiki(outsider).list(P)).toThrow(/has not joined/)
    expect(wiki(outsider).list(C).some(p => p.slug === 'budget')).toBe(false)
    expect((wiki(outsider).status().communities as Record<string, unknown>)[P]).toBeUndefined()
  })

  it('a hostile peer\'s catch-up answers are checked one by one and counted; a non-member is refused the private wiki', async () => {
    const n1 = nodes[0]!
    raw = await createRawPeer()
    const good = await signedBy(raw, { type: 'wiki.page.create', community: C, channel: 'wiki', agent: 'mallory', payload: { slug: 'from-raw', body: '# Raw\n\nA page of its own.' } })
    const tampered = { ...(await signedBy(raw, { type: 'wiki.page.create', community: C, channel: 'wiki', agent: 'mallory', payload: { slug: 'tampered', body: 'x' } })), payload: new TextEncoder().encode(JSON.stringify({ slug: 'tampered', body: 'changed' })) }
    const malformed = await signedBy(raw, { type: 'wiki.page.create', community: C, channel: 'wiki', agent: 'mallory', payload: { slug: 'Not A Slug', body: 'x' } })
    // an edit of a page n1 owns and locked, by a peer that does not own it
    const page = wiki(n1).show(C, 'hnsw-tuning')
    const forged = await signedBy(raw, { type: 'wiki.page.edit', community: C, channel: 'wiki', agent: 'mallory', payload: { slug: 'hnsw-tuning', parent: page.head, body: 'forged' } })
    await raw.libp2p.handle(WIKI_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      HistoryRequest.decode(await lp.read())
      await lp.write(HistoryResponse.encode({ messages: [tampered, malformed, forged, good], done: true, error: '' }))
      await stream.close().catch(() => {})
    })
    const before = wiki(n1).status().rejected as { byReason: Record<string, number> }
    await raw.join(n1, channelTopic(C, 'wiki'))
    await waitFor('n1 took the good operation from the hostile peer', () => seen(n1, 'from-raw') != null)
    const after = wiki(n1).status().rejected as { byReason: Record<string, number> }
    expect(after.byReason.signature).toBe((before.byReason.signature ?? 0) + 1)
    expect(after.byReason.payload).toBe((before.byReason.payload ?? 0) + 1)
    expect(after.byReason.rule).toBe((before.byReason.rule ?? 0) + 1)
    expect(wiki(n1).show(C, 'hnsw-tuning').head).toBe(page.head)
    expect(wiki(n1).list(C).some(p => p.slug === 'tampered')).toBe(false)

    // the private community of the earlier test: its wiki is not served to a non-member
    const stream = await raw.libp2p.dialProtocol(n1.peerId, WIKI_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: 4 * 1_048_576 })
    await lp.write(HistoryRequest.encode({ community: 'council', channel: 'wiki', limit: 0, before: 0n }))
    const answer = HistoryResponse.decode(await lp.read())
    expect(answer).toMatchObject({ messages: [], done: true, error: 'not a member of that community' })
  })
})
