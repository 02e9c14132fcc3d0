import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Envelope } from '../../src/wire/generated/event.js'
import { startTestNode } from '../helpers/nodes.js'
import { createRawPeer, createRelayPeer, signedBy } from '../helpers/raw-peer.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer, RelayPeer } from '../helpers/raw-peer.js'
import type { SignedMessage } from '@libp2p/gossipsub'

const C = 'lobby'
const GENERAL = `oa/1/${C}/ch/general`

describe('copies of a gossiped message', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: OaNode
  let author: RawPeer
  let spy: RawPeer
  let relay: RelayPeer
  const delivered: string[] = []

  beforeAll(async () => {
    dir = await tempDir()
    target = await startTestNode(dir.path, 'target', { communities: [C], memory: { capture: { '*': [] } } })
    target.libp2p.services.channels.addEventListener('event', (evt) => { if (evt.detail.origin === 'gossip') delivered.push(evt.detail.event.id) })
    // the author reaches the target only through the relay: the test chooses what arrives first
    author = await createRawPeer()
    spy = await createRawPeer()
    spy.subscribe(GENERAL)
    author.subscribe(GENERAL)
    await spy.libp2p.dial(author.libp2p.getMultiaddrs()[0]!)
    await waitFor('author and spy on the topic', () => author.libp2p.services.pubsub.getSubscribers(GENERAL).length > 0 && spy.libp2p.services.pubsub.getSubscribers(GENERAL).length > 0)
    relay = await createRelayPeer()
  })

  afterAll(async () => {
    await relay.stop()
    await spy.stop()
    await author.stop()
    await target.stop()
    await dir.cleanup()
  })

  it('a forged copy that reuses the signature is refused and does not shadow the real message; an exact copy is dropped', async () => {
    const envelope = await signedBy(author, { type: 'channel.message.post', community: C, channel: 'general', agent: 'bot', payload: { text: 'the real post' } })
    await author.publish(GENERAL, Envelope.encode(envelope))
    const original = await waitFor('the spy has the signed message', () => spy.received.find(m => m.topic === GENERAL && m.type === 'signed') as SignedMessage | undefined)
    // the same gossipsub signature over other data, sent first
    const other = await signedBy(author, { type: 'channel.message.post', community: C, channel: 'general', agent: 'bot', payload: { text: 'a forged post' } })
    await relay.relay(target, { ...original, data: Envelope.encode(other) })
    await relay.relay(target, original)
    await waitFor('the real post is delivered', () => delivered.includes(envelope.id))
    expect(delivered).not.toContain(other.id)
    // an exact copy, and the forgery again: nothing more is delivered
    await relay.relay(target, original)
    await relay.relay(target, { ...original, data: Envelope.encode(other) })
    const marker = await signedBy(author, { type: 'channel.message.post', community: C, channel: 'general', agent: 'bot', payload: { text: 'a later post' } })
    spy.received.length = 0
    await author.publish(GENERAL, Envelope.encode(marker))
    const later = await waitFor('the spy has the later message', () => spy.received.find(m => m.topic === GENERAL && m.type === 'signed') as SignedMessage | undefined)
    await relay.relay(target, later)
    await waitFor('the later post is delivered', () => delivered.includes(marker.id))
    expect(delivered).toEqual([envelope.id, marker.id])
  })
})
