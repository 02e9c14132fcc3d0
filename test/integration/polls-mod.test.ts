import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEnvelope } from '../../src/events/envelope.js'
import { Envelope } from '../../src/wire/generated/event.js'
import { channelTopic } from '../../src/wire/topics.js'
import { createRawPeer } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer } from '../helpers/raw-peer.js'

/** The example mod, loaded from config as a user loads it (it imports the built `oa-node`). */
const POLLS = join(import.meta.dirname, '..', '..', 'examples', 'mods', 'polls', 'index.js')
const C = 'town'

interface PollView { id: string, question: string, options: Array<{ text: string, votes: number }>, votes: number, closed: boolean, author: string }
interface Polls {
  list: (community: string) => PollView[]
  get: (community: string, id: string) => PollView
  create: (community: string, question: string, options: string[], agent?: string) => Promise<PollView>
  vote: (community: string, id: string, option: number, agent?: string) => Promise<PollView>
  close: (community: string, id: string, agent?: string) => Promise<PollView>
}

const polls = (node: OaNode): Polls => {
  const service = node.service<Polls>('polls')
  if (service == null) throw new Error('the polls mod does not run')
  return service
}

describe('the polls example mod, loaded from config', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  let raw: RawPeer | undefined
  const layer = (bootstrap?: OaNode) => ({
    communities: [C],
    memory: { capture: { '*': [] } },
    mods: { polls: { module: POLLS, maxOptions: 4 } },
    ...(bootstrap == null ? {} : { network: { bootstrap: [tcpAddr(bootstrap)] } })
  })

  beforeAll(async () => {
    dir = await tempDir()
    const n1 = await startTestNode(dir.path, 'n1', layer())
    nodes.push(n1, await startTestNode(dir.path, 'n2', layer(n1)), await startTestNode(dir.path, 'n3', layer(n1)))
    const topic = channelTopic(C, 'polls')
    await waitFor('every node subscribed to the polls channel of the others', () =>
      nodes.every(n => n.libp2p.services.pubsub.getSubscribers(topic).length >= 2))
  })

  afterAll(async () => {
    await raw?.stop()
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('a poll made on one node gets the votes of the others, is closed by its author, and reaches a late joiner through history', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    expect(n1.status().mods).toContain('polls')
    const poll = await polls(n1).create(C, 'Lunch?', ['pizza', 'soup', 'salad'])
    await waitFor('n2 and n3 hold the poll', () => [n2, n3].every(n => polls(n).list(C).some(p => p.id === poll.id)))
    await polls(n2).vote(C, poll.id, 1)
    await polls(n3).vote(C, poll.id, 1)
    await polls(n3).vote(C, poll.id, 2, 'bob')
    await waitFor('n1 counted three votes', () => polls(n1).get(C, poll.id).votes === 3)
    expect(polls(n1).get(C, poll.id).options.map(o => o.votes)).toEqual([0, 2, 1])
    // a vote of the same author replaces its earlier one
    await polls(n2).vote(C, poll.id, 0)
    await waitFor('n1 sees n2 change its vote', () => polls(n1).get(C, poll.id).options[0]?.votes === 1)
    await expect(polls(n2).close(C, poll.id)).rejects.toMatchObject({ code: 'not_author', status: 403 })
    await polls(n1).close(C, poll.id)
    await waitFor('n2 sees the poll closed', () => polls(n2).get(C, poll.id).closed)
    await expect(polls(n2).vote(C, poll.id, 0)).rejects.toMatchObject({ code: 'poll_closed', status: 409 })
    await expect(polls(n2).vote(C, 'nope', 0)).rejects.toMatchObject({ code: 'no_poll', status: 404 })
    await expect(polls(n1).create(C, 'Too many?', ['a', 'b', 'c', 'd', 'e'])).rejects.toMatchObject({ code: 'bad_options' })

    const late = await startTestNode(dir.path, 'n4', layer(n1))
    nodes.push(late)
    const seen = await waitFor('the late joiner backfilled the closed poll', () => {
      const view = polls(late).list(C).find(p => p.id === poll.id)
      return view?.closed === true ? view : undefined
    })
    expect(seen).toMatchObject({ question: 'Lunch?', votes: 3, closed: true })
    expect(seen.options.map(o => o.votes)).toEqual([1, 1, 1])
    expect((late.status().polls as Record<string, { polls: number }>)[C]?.polls).toBe(1)
  })

  it('a bad vote payload from a raw peer is rejected by the envelope pipeline and counted', async () => {
    const n1 = nodes[0]!
    const poll = await polls(n1).create(C, 'Tabs or spaces?', ['tabs', 'spaces'])
    raw = await createRawPeer()
    const topic = channelTopic(C, 'polls')
    await raw.join(n1, topic)
    const before = n1.status().rejected.byReason.payload
    const bad = await createEnvelope({ type: 'polls.vote.cast', community: C, channel: 'polls', agent: 'mallory', payload: { poll: poll.id, option: 'tabs' } }, raw.privateKey)
    await raw.publish(topic, Envelope.encode(bad))
    await waitFor('the bad vote counted as a payload rejection', () => n1.status().rejected.byReason.payload === before + 1)
    // a well-formed vote of the same peer still counts: the rejection was of that envelope only
    const good = await createEnvelope({ type: 'polls.vote.cast', community: C, channel: 'polls', agent: 'mallory', payload: { poll: poll.id, option: 0 } }, raw.privateKey)
    await raw.publish(topic, Envelope.encode(good))
    await waitFor('the good vote counted', () => polls(n1).get(C, poll.id).votes === 1)
    expect(polls(n1).get(C, poll.id).options.map(o => o.votes)).toEqual([1, 0])
  })

  it('a reader of a private community may see polls but not create or vote', async () => {
    const [n1, n2] = nodes as [OaNode, OaNode]
    const P = 'council'
    await n1.libp2p.services.communities.create(P, 'private')
    await n2.libp2p.services.communities.join((await n1.libp2p.services.communities.invite(P, { for: n2.peerId.toString(), role: 'reader' })).invite)
    await waitFor('n2 is in the private community', () => n2.communities.includes(P))
    const poll = await polls(n1).create(P, 'Budget?', ['yes', 'no'])
    await waitFor('the reader sees the poll', () => polls(n2).list(P).some(p => p.id === poll.id))
    await expect(polls(n2).vote(P, poll.id, 0)).rejects.toMatchObject({ code: 'read_only', status: 403 })
    await expect(polls(n2).create(P, 'Mine?', ['a', 'b'])).rejects.toMatchObject({ code: 'read_only', status: 403 })
    expect(polls(n1).get(P, poll.id).votes).toBe(0)
  })
})
