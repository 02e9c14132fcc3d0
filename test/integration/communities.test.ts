import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEnvelope } from '../../src/communities/sealed-envelope.js'
import { createEnvelope } from '../../src/events/envelope.js'
import { Envelope } from '../../src/wire/generated/event.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'vault'

function texts (node: OaNode, channel = 'general'): string[] {
  return node.libp2p.services.channels.list(C, channel, { limit: 1000 }).map(m => (m.payload as { text: string }).text)
}

async function recalled (node: OaNode, query: string): Promise<string[]> {
  return (await node.libp2p.services.memory.recall(C, query, { k: 10, mode: 'text' })).map(h => h.record.text)
}

/** Resolves after the node's gossipsub has run `count` more heartbeats (it refreshes peer scores on each). */
async function heartbeats (node: OaNode, count: number): Promise<void> {
  const pubsub = node.libp2p.services.pubsub
  await new Promise<void>((resolve) => {
    let seen = 0
    const onBeat = (): void => {
      if (++seen < count) return
      pubsub.removeEventListener('gossipsub:heartbeat', onBeat)
      resolve()
    }
    pubsub.addEventListener('gossipsub:heartbeat', onBeat)
  })
}

describe('private communities across nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: OaNode
  let n2: OaNode
  let n3: OaNode
  let n4: OaNode | undefined
  const nodes = (): OaNode[] => [n1, n2, n3, ...(n4 == null ? [] : [n4])]
  const start = async (name: string): Promise<OaNode> => startTestNode(dir.path, name, { network: { bootstrap: [tcpAddr(n1)] }, memory: { capture: { '*': [] } } })

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startTestNode(dir.path, 'n1', { memory: { capture: { '*': [] } } })
    n2 = await start('n2')
    n3 = await start('n3')
  })

  afterAll(async () => {
    await Promise.all(nodes().map(async n => n.stop()))
    await dir.cleanup()
  })

  it('an admin creates a private community; a named invite and a bearer invite admit two nodes, whose posts and memories reach every member', async () => {
    const created = await n1.libp2p.services.communities.create(C, 'private')
    expect(created).toMatchObject({ name: C, policy: 'private', role: 'admin', epoch: 1, members: 1 })
    const named = await n1.libp2p.services.communities.invite(C, { for: n2.peerId.toString(), role: 'member' })
    await expect(n3.libp2p.services.communities.join(named.invite)).rejects.toThrow(/does not make this node/)
    expect(await n2.libp2p.services.communities.join(named.invite)).toMatchObject({ id: created.id, role: 'member' })
    const bearer = await n1.libp2p.services.communities.invite(C)
    expect(await n3.libp2p.services.communities.join(bearer.invite)).toMatchObject({ id: created.id, role: 'member' })
    expect(n1.libp2p.services.communities.members(C).map(m => m.peerId).sort()).toEqual([n1, n2, n3].map(n => n.peerId.toString()).sort())
    await waitFor('every member lists three members', () => nodes().every(n => n.libp2p.services.communities.members(C).length === 3))

    // nobody can find the community by its name: its topics carry a derived label
    for (const n of nodes()) {
      expect(n.communities).toContain(C)
      expect(n.libp2p.services.pubsub.getTopics().some(t => t.includes(C))).toBe(false)
    }
    const topic = n1.libp2p.services.pubsub.getTopics().find(t => t.endsWith('/ch/general')) ?? ''
    await waitFor('members meet on the channel topic', () => nodes().every(n => n.libp2p.services.pubsub.getSubscribers(topic).length >= 1) && n1.libp2p.services.pubsub.getSubscribers(topic).length === 2)

    await n2.libp2p.services.channels.post({ community: C, channel: 'general', text: 'the launch code is 7421' })
    await waitFor('the post reaches n1 and n3', () => texts(n1).includes('the launch code is 7421') && texts(n3).includes('the launch code is 7421'))
    await n3.libp2p.services.memory.remember(C, { text: 'vault rotation happens on fridays' })
    await waitFor('the memory reaches n1 and n2', async () => (await recalled(n1, 'fridays')).length === 1 && (await recalled(n2, 'fridays')).length === 1)
  })

  it('removing a member rotates the key: the removed node can open nothing written after, and is refused history and memory', async () => {
    const removed = n3.peerId.toString()
    const view = await n1.libp2p.services.communities.remove(C, removed)
    expect(view).toMatchObject({ epoch: 2, members: 2 })
    await waitFor('n2 holds the new key', () => n2.libp2p.services.communities.describe(C)?.epoch === 2)
    await waitFor('n3 learns it was removed and leaves', () => !n3.communities.includes(C))
    expect(n3.libp2p.services.communities.describe(C)?.role).toBeUndefined()

    const after = await n1.libp2p.services.channels.post({ community: C, channel: 'general', text: 'new code 9913' })
    await n1.libp2p.services.memory.remember(C, { text: 'the new vault code is kept offline' })
    await waitFor('n2 reads what n1 wrote after the removal', async () => texts(n2).includes('new code 9913') && (await recalled(n2, 'offline')).length === 1)

    // what n3 holds cannot open it: the post as it travels is sealed with epoch 2
    const stored = n1.libp2p.services.channels.envelope(after.id)
    if (stored == null) throw new Error('n1 did not keep its own post')
    const wire = n1.libp2p.services.channels.wireForm(stored)
    expect(wire.epoch).toBe(2)
    expect(new TextDecoder().decode(wire.payload)).not.toContain('9913')
    const n3Sealer = n3.libp2p.services.communities.sealer(C)
    if (n3Sealer == null) throw new Error('n3 kept no sealer for the community it was removed from')
    expect(() => openEnvelope(wire, n3Sealer)).toThrow(/epoch 2/)

    // and its own nodes' services ask, and are refused
    await expect(n3.libp2p.services.channels.backfill(n1.peerId, C, 'general')).rejects.toThrow(/not a member/)
    await expect(n3.libp2p.services.replication.sync(n1.peerId, C)).rejects.toThrow(/not a member/)
    expect(n1.status().rejected.byReason.membership).toBeGreaterThan(0)
    expect(n1.libp2p.services.replication.stats().rejected.byReason.membership).toBeGreaterThan(0)
  })

  it('a node that was offline while a member was removed catches up with the new key, then with what was written meanwhile', async () => {
    n4 = await start('n4')
    const invite = await n1.libp2p.services.communities.invite(C, { for: n4.peerId.toString() })
    await n4.libp2p.services.communities.join(invite.invite)
    await waitFor('n4 holds epoch 2', () => n4?.libp2p.services.communities.describe(C)?.epoch === 2)
    await n4.stop()

    await n1.libp2p.services.communities.remove(C, n2.peerId.toString())
    await n1.libp2p.services.channels.post({ community: C, channel: 'general', text: 'written while n4 was away' })

    n4 = await start('n4')
    const back = n4
    await waitFor('n4 gets the epoch 3 key from a member', () => back.libp2p.services.communities.describe(C)?.epoch === 3, 30_000)
    await waitFor('n4 backfills what it could not open before', () => texts(back).includes('written while n4 was away'), 30_000)
    await n1.libp2p.services.channels.post({ community: C, channel: 'general', text: 'live again' })
    await waitFor('n4 reads live posts with the new key', () => texts(back).includes('live again'), 30_000)
  })

  it('a node in an open community of the same name that joins the private one moves to its topics', async () => {
    const n6 = await startTestNode(dir.path, 'n6', { communities: [C], network: { bootstrap: [tcpAddr(n1)] }, memory: { capture: { '*': [] } } })
    try {
      expect(n6.libp2p.services.pubsub.getTopics()).toContain(`oa/1/${C}/ch/general`)
      // while it is only in the open one, n1 refuses it the private one's history and memory,
      // however often it asks, and counts each refusal without shutting it out of gossip
      await waitFor('n6 connects to n1', () => n6.libp2p.getConnections(n1.peerId).length > 0)
      const refusedBefore = n1.status().rejected.byReason.membership ?? 0
      for (let i = 0; i < 12; i++) {
        await expect(n6.libp2p.services.channels.backfill(n1.peerId, C, 'general')).rejects.toThrow(/not a member/)
        await expect(n6.libp2p.services.replication.sync(n1.peerId, C)).rejects.toThrow(/not a member/)
      }
      expect(n1.status().rejected.byReason.membership ?? 0).toBeGreaterThanOrEqual(refusedBefore + 12)
      await heartbeats(n1, 2)
      expect(n1.peerScore(n6.peerId.toString())).toBeGreaterThanOrEqual(0)
      const invite = await n1.libp2p.services.communities.invite(C, { for: n6.peerId.toString() })
      await n6.libp2p.services.communities.join(invite.invite)
      expect(n6.libp2p.services.pubsub.getTopics().some(t => t.includes(C))).toBe(false)
      const topic = n1.libp2p.services.pubsub.getTopics().find(t => t.endsWith('/ch/general')) ?? ''
      await waitFor('n6 meets n1 on the private topic', () => n6.libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(n1.peerId)))
      await n1.libp2p.services.channels.post({ community: C, channel: 'general', text: 'welcome n6' })
      await waitFor('n6 reads the private post', () => texts(n6).includes('welcome n6'))
    } finally {
      await n6.stop()
    }
  })

  it('two admins removing two members at once: neither removed node can open what is written after', async () => {
    const [n7, n8, n9] = await Promise.all([start('n7'), start('n8'), start('n9')])
    try {
      await n7.libp2p.services.communities.join((await n1.libp2p.services.communities.invite(C, { for: n7.peerId.toString(), role: 'admin' })).invite)
      for (const n of [n8, n9]) await n.libp2p.services.communities.join((await n1.libp2p.services.communities.invite(C, { for: n.peerId.toString() })).invite)
      const count = n1.libp2p.services.communities.members(C).length
      await waitFor('the new admin knows every member', () => n7.libp2p.services.communities.members(C).length === count)
      const epoch = n1.libp2p.services.communities.describe(C)?.epoch ?? 0
      await waitFor('n7 holds the current key', () => n7.libp2p.services.communities.describe(C)?.epoch === epoch)

      // n7 is cut off while both admins remove someone: neither sees the other's removal first
      for (const peer of n7.libp2p.getPeers()) await n7.hangUp(peer.toString())
      await Promise.all([n1.libp2p.services.communities.remove(C, n8.peerId.toString()), n7.libp2p.services.communities.remove(C, n9.peerId.toString())])
      await n7.dial(tcpAddr(n1))
      await waitFor('both admins know both removals', () => [n1, n7].every(n => n.libp2p.services.communities.members(C).length === count - 2), 30_000)
      await waitFor('both admins seal with a key neither removed node holds', () => [n1, n7].every(n => (n.libp2p.services.communities.describe(C)?.epoch ?? 0) > epoch + 1), 30_000)

      for (const author of [n1, n7]) {
        const posted = await author.libp2p.services.channels.post({ community: C, channel: 'general', text: `after both removals, by ${author.peerId.toString()}` })
        const stored = author.libp2p.services.channels.envelope(posted.id)
        if (stored == null) throw new Error('the author did not keep its post')
        const wire = author.libp2p.services.channels.wireForm(stored)
        for (const removed of [n8, n9]) {
          const sealer = removed.libp2p.services.communities.sealer(C)
          if (sealer == null) throw new Error('a removed node kept no sealer')
          expect(() => openEnvelope(wire, sealer)).toThrow()
        }
        // each admin rotated on its own: the other opens the post once it holds both keys of the epoch
        const other = author === n1 ? n7 : n1
        await waitFor('the other admin opens the post', () => {
          const sealer = other.libp2p.services.communities.sealer(C)
          try {
            return sealer != null && openEnvelope(wire, sealer).payload.byteLength > 0
          } catch {
            return false
          }
        }, 30_000)
      }
    } finally {
      await Promise.all([n7, n8, n9].map(async n => n.stop()))
    }
  })

  it('a member removed while it was offline learns of its removal when it comes back, and leaves', async () => {
    let n10 = await start('n10')
    await n10.libp2p.services.communities.join((await n1.libp2p.services.communities.invite(C, { for: n10.peerId.toString() })).invite)
    await n10.stop()
    await n1.libp2p.services.communities.remove(C, n10.peerId.toString())
    n10 = await start('n10')
    const back = n10
    try {
      await waitFor('n10 learns it was removed', () => !back.communities.includes(C), 30_000)
      expect(back.libp2p.services.communities.describe(C)?.role).toBeUndefined()
    } finally {
      await back.stop()
    }
  })

  it('a reader reads but may not post or remember', async () => {
    const n5 = await start('n5')
    try {
      const invite = await n1.libp2p.services.communities.invite(C, { for: n5.peerId.toString(), role: 'reader' })
      expect(await n5.libp2p.services.communities.join(invite.invite)).toMatchObject({ role: 'reader' })
      await waitFor('the reader backfills the history', () => n5.communities.includes(C) && texts(n5).includes('live again'), 30_000)
      await expect(n5.libp2p.services.channels.post({ community: C, channel: 'general', text: 'hi' })).rejects.toThrow(/may read vault but not post/)
      await expect(n5.libp2p.services.memory.remember(C, { text: 'a note' })).rejects.toThrow(/may read vault but not write/)
      // a post it signs and seals itself is refused by the members
      const forged = await createEnvelope({ type: 'channel.message.post', community: C, channel: 'general', agent: 'user', payload: { text: 'reader speaks', mentions: [] } }, n5.privateKey)
      const topic = n1.libp2p.services.pubsub.getTopics().find(t => t.endsWith('/ch/general')) ?? ''
      await waitFor('n5 meets n1 on the topic', () => n5.libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(n1.peerId)))
      const before = n1.status().rejected.byReason.membership
      await n5.libp2p.services.pubsub.publish(topic, Envelope.encode(n5.libp2p.services.channels.wireForm(forged)))
      await waitFor('n1 refuses the reader\'s post', () => n1.status().rejected.byReason.membership > before)
      expect(texts(n1)).not.toContain('reader speaks')
    } finally {
      await n5.stop()
    }
  })
})

