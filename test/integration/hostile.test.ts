import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Envelope } from '../../src/wire/generated/event.js'
import { DirectResponse } from '../../src/wire/generated/event.js'
import { channelTopic } from '../../src/wire/topics.js'
import { REJECT_REASONS } from '../../src/events/validate.js'
import { createRawPeer, resign, signedBy } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { EnvelopeInit } from '../../src/events/envelope.js'
import type { RejectReason } from '../../src/events/validate.js'
import type { RawPeer } from '../helpers/raw-peer.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
const TOPIC = channelTopic(C, 'general')
/** A raw peer sends at most this many invalid messages, staying above the graylist threshold. */
const PER_PEER = 5

describe('validation of everything a raw libp2p peer sends', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: OaNode
  let honest: OaNode
  const raws: RawPeer[] = []
  let current: { peer: RawPeer, used: number } | undefined
  let unique = 0

  /** A connected raw peer with invalid messages to spare. */
  async function raw (): Promise<RawPeer> {
    if (current == null || current.used >= PER_PEER) {
      const peer = await createRawPeer()
      raws.push(peer)
      await peer.join(target, TOPIC)
      current = { peer, used: 0 }
    }
    current.used++
    return current.peer
  }

  /** Resolves with the reason of the next rejection on `target`. */
  function nextRejection (): Promise<{ reason: string, path: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('no rejection within 10 s')) }, 10_000)
      target.libp2p.services.channels.addEventListener('rejected', (evt) => {
        clearTimeout(timer)
        resolve(evt.detail)
      }, { once: true })
    })
  }

  function base (_peer: RawPeer, overrides: Partial<EnvelopeInit> = {}): EnvelopeInit {
    return { type: 'channel.message.post', community: C, channel: 'general', agent: 'bot', payload: { text: `valid text ${unique++}` }, ...overrides }
  }

  const storedGeneral = (): number => target.libp2p.services.channels.list(C, 'general', { limit: 1000 }).length

  beforeAll(async () => {
    dir = await tempDir()
    target = await startTestNode(dir.path, 'target', { communities: [C] })
    honest = await startTestNode(dir.path, 'honest', { communities: [C], network: { bootstrap: [tcpAddr(target)] } })
    await waitFor('honest and target share general', () => target.libp2p.services.pubsub.getSubscribers(TOPIC).some(p => p.equals(honest.peerId)))
    await honest.libp2p.services.channels.post({ community: C, channel: 'general', text: 'before the attack' })
    await waitFor('first message stored', () => storedGeneral() === 1)
    target.libp2p.services.channels.handleDirect('echo', (req) => Promise.resolve(req.payload))
  })

  afterAll(async () => {
    await Promise.all(raws.map(async r => r.stop()))
    await honest.stop()
    await target.stop()
    await dir.cleanup()
  })

  it('rejects random bytes on a channel topic, counts them, and stores nothing', async () => {
    const stored = storedGeneral()
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
      // a unique tail keeps gossipsub from dropping a repeated array as a duplicate
      const data = Uint8Array.from([...bytes, 0xff, 0xff, ...new TextEncoder().encode(String(unique++))])
      const before = target.status().rejected.byPath.gossip
      const rejection = nextRejection()
      await (await raw()).publish(TOPIC, data)
      const { reason, path } = await rejection
      expect(path).toBe('gossip')
      expect(REJECT_REASONS).toContain(reason)
      expect(target.status().rejected.byPath.gossip).toBe(before + 1)
    }), { numRuns: 20 })
    expect(storedGeneral()).toBe(stored)
  })

  const attacks: Record<string, { reason: RejectReason, make: (peer: RawPeer) => Promise<Uint8Array> }> = {
    oversized: { reason: 'size', make: async p => Envelope.encode(await signedBy(p, base(p, { payload: { text: 'x'.repeat(70_000) } }))) },
    'wrong community': { reason: 'community', make: async p => Envelope.encode(await signedBy(p, base(p, { community: 'other' }))) },
    'wrong channel for the topic': { reason: 'topic', make: async p => Envelope.encode(await signedBy(p, base(p, { channel: 'random' }))) },
    'malformed type': { reason: 'type', make: async p => Envelope.encode(await signedBy(p, base(p, { type: 'channel.message' }))) },
    'direct type on a channel': { reason: 'type', make: async p => Envelope.encode(await signedBy(p, base(p, { type: 'direct.request.send' }))) },
    'future timestamp': { reason: 'clock', make: async p => Envelope.encode(await signedBy(p, base(p, { timestamp: Date.now() + 10 * 60_000 }))) },
    'stale timestamp': { reason: 'clock', make: async p => Envelope.encode(await signedBy(p, base(p, { timestamp: Date.now() - 10 * 60_000 }))) },
    'payload of the wrong shape': { reason: 'payload', make: async p => Envelope.encode(await signedBy(p, base(p, { payload: { body: 'no text field' } }))) },
    'forged signature': {
      reason: 'signature',
      make: async (p) => {
        const env = await signedBy(p, base(p))
        env.signature[0] = (env.signature[0] ?? 0) ^ 0xff
        return Envelope.encode(env)
      }
    },
    'forged source': {
      reason: 'source',
      make: async (p) => {
        const env = await signedBy(p, base(p))
        return Envelope.encode(await resign(p, { ...env, source: `bot@${honest.peerId.toString()}` }))
      }
    }
  }

  it('rejects each kind of bad envelope on gossip with its own reason', async () => {
    const stored = storedGeneral()
    await fc.assert(fc.asyncProperty(fc.constantFrom(...Object.keys(attacks)), async (name) => {
      const attack = attacks[name]!
      const peer = await raw()
      const before = target.status().rejected.byReason[attack.reason]
      const rejection = nextRejection()
      await peer.publish(TOPIC, await attack.make(peer))
      expect((await rejection).reason).toBe(attack.reason)
      expect(target.status().rejected.byReason[attack.reason]).toBe(before + 1)
    }), { numRuns: 30 })
    expect(storedGeneral()).toBe(stored)
  })

  it('delivers a replayed gossip envelope once', async () => {
    const peer = await raw()
    const env = await signedBy(peer, base(peer))
    const seen: string[] = []
    target.libp2p.services.channels.addEventListener('event', (evt) => { seen.push(evt.detail.event.id) })
    await peer.publish(TOPIC, Envelope.encode(env))
    await peer.publish(TOPIC, Envelope.encode(env))
    await waitFor('the envelope arrives', () => seen.includes(env.id))
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(seen.filter(id => id === env.id)).toHaveLength(1)
  })

  it('rejects bad direct requests with the reason, and replays', async () => {
    const peer = await createRawPeer()
    raws.push(peer)
    await peer.libp2p.dial(target.libp2p.getMultiaddrs()[0]!)
    const to = `echo@${target.peerId.toString()}`
    const request = (overrides: Partial<EnvelopeInit> = {}): Promise<Envelope> => signedBy(peer, { type: 'direct.request.send', community: C, agent: 'bot', target: to, payload: { n: unique++ }, ...overrides })
    const rejectedFor = async (data: Uint8Array, reason: RejectReason): Promise<void> => {
      const before = target.status().rejected.byReason[reason]
      const response = await peer.direct(target.peerId, data)
      expect(response.status).toBe(DirectResponse.Status.REJECTED)
      expect(response.error).toMatch(new RegExp(`^${reason}:`))
      expect(target.status().rejected.byReason[reason]).toBe(before + 1)
    }

    const valid = Envelope.encode(await request())
    expect((await peer.direct(target.peerId, valid)).status).toBe(DirectResponse.Status.OK)
    await rejectedFor(valid, 'replay')
    await rejectedFor(Uint8Array.from([1, 2, 3, 4, 5]), 'decode')
    await rejectedFor(Envelope.encode(await request({ community: 'other' })), 'community')
    await rejectedFor(Envelope.encode(await request({ timestamp: Date.now() + 3_600_000 })), 'clock')
    await rejectedFor(Envelope.encode(await request({ target: undefined })), 'target')
    await rejectedFor(Envelope.encode(await request({ type: 'channel.message.post', payload: { text: 'x' } })), 'type')
    const forged = await request()
    forged.signature[5] = (forged.signature[5] ?? 0) ^ 1
    await rejectedFor(Envelope.encode(forged), 'signature')
    const spoofed = await request()
    await rejectedFor(Envelope.encode(await resign(peer, { ...spoofed, source: `bot@${honest.peerId.toString()}` })), 'source')

    const before = target.status().rejected.byReason.size
    await expect(peer.direct(target.peerId, Envelope.encode(await request({ payload: { blob: 'y'.repeat(100_000) } })))).rejects.toThrow()
    await waitFor('oversized direct frame counted', () => target.status().rejected.byReason.size === before + 1)
  })

  it('drops bad envelopes served as history and keeps the valid ones', async () => {
    const peer = await createRawPeer()
    raws.push(peer)
    const good = await signedBy(peer, base(peer, { timestamp: Date.now() - 3_600_000 }))
    const forged = await signedBy(peer, base(peer))
    forged.signature[0] = (forged.signature[0] ?? 0) ^ 1
    const otherChannel = await signedBy(peer, base(peer, { channel: 'elsewhere' }))
    const future = await signedBy(peer, base(peer, { timestamp: Date.now() + 3_600_000 }))
    await peer.serveHistory([good, forged, otherChannel, future])
    await peer.libp2p.dial(target.libp2p.getMultiaddrs()[0]!)
    await waitFor('target sees the raw peer', () => target.libp2p.getPeers().some(p => p.equals(peer.peerId)))
    const before = target.status().rejected
    const added = await target.libp2p.services.channels.backfill(peer.peerId, C, 'general')
    expect(added).toBe(1)
    const after = target.status().rejected
    expect(after.byPath.history).toBe(before.byPath.history + 3)
    expect(after.byReason.signature).toBe(before.byReason.signature + 1)
    expect(after.byReason.topic).toBe(before.byReason.topic + 1)
    expect(after.byReason.clock).toBe(before.byReason.clock + 1)
    expect(target.libp2p.services.channels.list(C, 'general', { limit: 1000 }).map(m => m.id)).toContain(good.id)
  })

  it('graylists a peer that keeps sending invalid messages, and keeps serving honest peers', async () => {
    const peer = await createRawPeer()
    raws.push(peer)
    await peer.join(target, TOPIC)
    const score = (): number => target.peerScore(peer.peerId.toString()) ?? 0
    // a burst: every message arrives before the score has dropped far enough to matter
    const before = target.status().rejected.total
    await Promise.all(Array.from({ length: 12 }, async (_, i) => { await peer.publish(TOPIC, Uint8Array.from([0xde, 0xad, i])) }))
    await waitFor('the burst is rejected', () => target.status().rejected.total >= before + 9, 20_000)
    await waitFor('the peer is graylisted', () => score() < -80, 20_000)
    expect(score()).toBeLessThan(-80)

    const ignored = await signedBy(peer, base(peer))
    await peer.publish(TOPIC, Envelope.encode(ignored))
    const fromHonest = await honest.libp2p.services.channels.post({ community: C, channel: 'general', text: 'still here' })
    await waitFor('honest message delivered', () => target.libp2p.services.channels.list(C, 'general', { limit: 1000 }).some(m => m.id === fromHonest.id))
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(target.libp2p.services.channels.list(C, 'general', { limit: 1000 }).some(m => m.id === ignored.id)).toBe(false)
  })
})
