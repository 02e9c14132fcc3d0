import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'vault'

function texts (node: OaNode): string[] {
  return node.libp2p.services.channels.list(C, 'general', { limit: 1000 }).map(m => (m.payload as { text: string }).text)
}

/** The control topic of a private community, as its members subscribe to it. */
function ctlTopics (node: OaNode): string[] {
  return node.libp2p.services.pubsub.getTopics().filter(t => t.endsWith('/ctl'))
}

describe('leaving a private community and joining it again by name', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: OaNode
  let n2: OaNode
  let id: string
  const startN2 = async (communities: string[] = []): Promise<OaNode> => startTestNode(dir.path, 'n2', { communities, network: { bootstrap: [tcpAddr(n1)] }, memory: { capture: { '*': [] } } })

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startTestNode(dir.path, 'n1', { memory: { capture: { '*': [] } } })
    n2 = await startN2()
    id = (await n1.libp2p.services.communities.create(C, 'private')).id
    const { invite } = await n1.libp2p.services.communities.invite(C, { for: n2.peerId.toString() })
    await n2.libp2p.services.communities.join(invite)
  })

  afterAll(async () => {
    await Promise.all([n1.stop(), n2.stop()])
    await dir.cleanup()
  })

  it('a node that leaves stops following and serving it, keeps its files, and stays out across a restart', async () => {
    await waitFor('n2 follows the control topic', () => ctlTopics(n2).length === 1)
    await waitFor('n1 and n2 meet on the channel', () => n1.libp2p.services.pubsub.getSubscribers(n1.libp2p.services.pubsub.getTopics().find(t => t.endsWith('/ch/general')) ?? '').length === 1)
    await n2.leave(C)
    expect(n2.communities).not.toContain(C)
    expect(ctlTopics(n2)).toEqual([])
    expect(n2.libp2p.services.pubsub.getTopics()).toEqual([])
    // it no longer answers for the community, as if it had never been in it
    await expect(n1.libp2p.services.communities.sync(n2.peerId, id)).rejects.toThrow(/no such community open to this peer here/)
    // its credential and keys stay
    await access(join(dir.path, 'n2', 'communities', `${id}.json`))
    expect(n2.libp2p.services.communities.describe(C)).toMatchObject({ id, role: 'member' })
    expect(JSON.parse(await readFile(join(dir.path, 'n2', 'memberships.json'), 'utf8'))).toEqual({ v: 1, joined: [], left: [C] })
    await expect(n2.leave(C)).rejects.toMatchObject({ code: 'not_joined' })

    await n2.stop()
    n2 = await startN2()
    expect(n2.communities).toEqual([])
    expect(ctlTopics(n2)).toEqual([])
  })

  it('the config names a left community: it is joined for that run only', async () => {
    await n2.stop()
    n2 = await startN2([C])
    expect(n2.communities).toEqual([C])
    await waitFor('n2 follows the control topic', () => ctlTopics(n2).length === 1)
    await n2.stop()
    n2 = await startN2()
    expect(n2.communities).toEqual([])
  })

  it('joined again by name with the credential it kept: it reads the community again, and is in it after a restart', async () => {
    await n2.join(C)
    expect(n2.communities).toEqual([C])
    await waitFor('n2 follows the control topic', () => ctlTopics(n2).length === 1)
    expect(JSON.parse(await readFile(join(dir.path, 'n2', 'memberships.json'), 'utf8'))).toEqual({ v: 1, joined: [], left: [] })
    const topic = n2.libp2p.services.pubsub.getTopics().find(t => t.endsWith('/ch/general')) ?? ''
    await waitFor('n1 sees n2 on the channel', () => n1.libp2p.services.pubsub.getSubscribers(topic).length === 1)
    await n1.libp2p.services.channels.post({ community: C, channel: 'general', text: 'welcome back' })
    await waitFor('n2 reads the post', () => texts(n2).includes('welcome back'))

    await n2.stop()
    n2 = await startN2()
    expect(n2.communities).toEqual([C])
  })

  it('a bad name, and a private community this node was removed from, are refused by name', async () => {
    await expect(n2.join('Not A Name')).rejects.toMatchObject({ code: 'bad_community' })
    await expect(n2.leave('Not A Name')).rejects.toMatchObject({ code: 'bad_community' })
    await n1.libp2p.services.communities.remove(C, n2.peerId.toString())
    await waitFor('n2 learns it was removed', () => !n2.communities.includes(C))
    await expect(n2.join(C)).rejects.toMatchObject({ code: 'not_member' })
    expect(n2.communities).toEqual([])
  })
})
