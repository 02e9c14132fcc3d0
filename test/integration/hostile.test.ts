import { lpStream } from '@libp2p/utils'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Envelope } from '../../src/wire/generated/event.js'
import { DirectResponse } from '../../src/wire/generated/event.js'
import { channelTopic } from '../../src/wire/topics.js'
import { REJECT_REASONS } from '../../src/events/validate.js'
import { makeRecord, makeTombstone, recordSigningBytes } from '../../src/memory/record.js'
import { toWire } from '../../src/memory/replication/codec.js'
import { MEMSYNC_PROTOCOL, memoryTopic } from '../../src/memory/replication/index.js'
import { MemoryGossip, SyncBatch, SyncRequest } from '../../src/wire/generated/memory.js'
import { ApiClient, serveApi } from '../../src/api/index.js'
import { createRawPeer, resign, signedBy } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ApiRequestError } from '../../src/api/index.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { EnvelopeInit } from '../../src/events/envelope.js'
import type { RememberInput } from '../../src/memory/record.js'
import type { ReplicationRejectReason } from '../../src/memory/replication/index.js'
import type { StoredRecord } from '../../src/memory/types.js'
import type { RejectReason } from '../../src/events/validate.js'
import type { RawPeer } from '../helpers/raw-peer.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
const TOPIC = channelTopic(C, 'general')
/** A raw peer sends at most this many invalid messages, staying above the graylist threshold. */
const PER_PEER = 5

/**
 * Makes a node's gossipsub forget the message ids it has seen, as it does on its own once
 * they are older than its seen TTL.
 */
function forgetSeenGossip (node: OaNode): void {
  (node.libp2p.services.pubsub as unknown as { seenCache: { clear: () => void } }).seenCache.clear()
}

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
    oversized: { reason: 'size', make: async p => Envelope.encode(await signedBy(p, base(p, { payload: { text: 'x'.repeat(600_000) } }))) },
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

  it('delivers a replayed gossip envelope once, also once gossipsub has forgotten it', async () => {
    const peer = await raw()
    const env = await signedBy(peer, base(peer))
    const seen: string[] = []
    const replays: string[] = []
    const accepted: string[] = []
    const channels = target.libp2p.services.channels
    const pubsub = target.libp2p.services.pubsub
    const onEvent = (evt: CustomEvent<{ event: { id: string } }>): void => { seen.push(evt.detail.event.id) }
    // what gossipsub passed on after validation
    const onMessage = (evt: CustomEvent<{ topic: string, data: Uint8Array }>): void => {
      if (evt.detail.topic === TOPIC && Envelope.decode(evt.detail.data).id === env.id) accepted.push(env.id)
    }
    const onRejected = (evt: CustomEvent<{ reason: string, message: string }>): void => {
      if (evt.detail.reason === 'replay' && evt.detail.message.includes(env.id)) replays.push(env.id)
    }
    channels.addEventListener('event', onEvent)
    channels.addEventListener('rejected', onRejected)
    pubsub.addEventListener('message', onMessage)
    try {
      await peer.publish(TOPIC, Envelope.encode(env))
      await waitFor('the envelope arrives', () => seen.includes(env.id))
      // gossipsub drops a copy it has seen for its seen TTL (2 min), far less than the
      // clock-skew window (5 min) in which the envelope is still accepted; forgetting the
      // ids it has seen stands for that wait: the replay cache alone stops this copy
      forgetSeenGossip(target)
      await peer.publish(TOPIC, Envelope.encode(env))
      await waitFor('the replay is refused or accepted', () => replays.length + accepted.length >= 2)
      expect(accepted).toEqual([env.id])
      expect(replays).toEqual([env.id])
      expect(seen.filter(id => id === env.id)).toHaveLength(1)
    } finally {
      pubsub.removeEventListener('message', onMessage)
      channels.removeEventListener('event', onEvent)
      channels.removeEventListener('rejected', onRejected)
    }
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
    await expect(peer.direct(target.peerId, Envelope.encode(await request({ payload: { blob: 'y'.repeat(600_000) } })))).rejects.toThrow()
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
    // a later request from the same peer on the same connection is answered: by then the
    // target has read the gossip frame sent before it (and the connection is still open)
    const later = await signedBy(peer, { type: 'direct.request.send', community: C, agent: 'bot', target: `echo@${target.peerId.toString()}`, payload: { n: unique++ } })
    expect((await peer.direct(target.peerId, Envelope.encode(later))).status).toBeDefined()
    const fromHonest = await honest.libp2p.services.channels.post({ community: C, channel: 'general', text: 'still here' })
    await waitFor('honest message delivered', () => target.libp2p.services.channels.list(C, 'general', { limit: 1000 }).some(m => m.id === fromHonest.id))
    expect(target.libp2p.services.channels.list(C, 'general', { limit: 1000 }).some(m => m.id === ignored.id)).toBe(false)
  })
})

describe('memory records belong to their origin: what a raw peer or a member cannot do to another node\'s record', () => {
  const MEM = memoryTopic(C)
  const layer = (bootstrap: string[] = []): ConfigLayer => ({ communities: [C], network: { bootstrap }, memory: { syncIntervalMs: 600_000, capture: { '*': [] } } })
  let dir: { path: string, cleanup: () => Promise<void> }
  let victim: OaNode
  let replica: OaNode
  let raw: RawPeer
  let original: StoredRecord
  let served: StoredRecord[] = []

  const stats = (node: OaNode): ReturnType<OaNode['libp2p']['services']['replication']['stats']> => node.libp2p.services.replication.stats()
  const victimsRecord = async (node: OaNode): Promise<StoredRecord[]> => node.libp2p.services.memory.get(C, [original.id], { origin: victim.peerId.toString() })
  /** A record for the victim's id, signed by the raw peer's key. */
  const forged = async (overrides: Partial<StoredRecord>, input: Partial<RememberInput> = {}): Promise<StoredRecord> => ({ ...await makeRecord({ id: original.id, text: 'overwritten by the attacker', agent: `bot@${raw.peerId.toString()}`, ...input }, C, original.seq + 10, raw.privateKey), ...overrides })

  beforeAll(async () => {
    dir = await tempDir()
    victim = await startTestNode(dir.path, 'victim', layer())
    replica = await startTestNode(dir.path, 'replica', layer([tcpAddr(victim)]))
    await waitFor('victim and replica share the memory topic', () => replica.libp2p.services.pubsub.getSubscribers(MEM).some(p => p.equals(victim.peerId)))
    original = await victim.libp2p.services.memory.remember(C, { id: 'runbook-1', text: 'Restart the indexer with --reindex after an upgrade' })
    await waitFor('the replica holds the victim\'s record', async () => (await victimsRecord(replica)).length === 1)
    raw = await createRawPeer()
    await raw.join(replica, MEM)
    await raw.libp2p.handle(MEMSYNC_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      SyncRequest.decode(await lp.read())
      await lp.write(SyncBatch.encode({ records: served.map(r => toWire(r)), done: true, error: '' }))
      await stream.close().catch(() => {})
    })
  })

  afterAll(async () => {
    await raw.stop()
    await replica.stop()
    await victim.stop()
    await dir.cleanup()
  })

  const unchangedEverywhere = async (): Promise<void> => {
    for (const node of [victim, replica]) {
      const held = await victimsRecord(node)
      expect(held.map(r => [r.text, r.seq, r.deleted])).toEqual([[original.text, original.seq, undefined]])
    }
  }

  it('refuses, on gossip, the victim\'s record or tombstone signed by another key, and an agent of another node, with a reason and a penalty', async () => {
    const victimId = victim.peerId.toString()
    const tombstone = await makeTombstone({ ...original, origin: raw.peerId.toString() }, original.seq + 11, raw.privateKey, [[original.seq, original.seq]])
    const cases: Array<[ReplicationRejectReason, StoredRecord]> = [
      ['origin', await forged({ origin: victimId }, { agent: `bot@${victimId}` })],
      ['origin', { ...tombstone, origin: victimId }],
      ['owner', await forged({}, { agent: `user@${victimId}` })]
    ]
    for (const [reason, record] of cases) {
      const before = stats(replica).rejected
      await raw.publish(MEM, MemoryGossip.encode({ records: [toWire(record)], notice: false }))
      await waitFor(`${reason} rejected on gossip`, () => stats(replica).rejected.byReason[reason] === before.byReason[reason] + 1)
      expect(stats(replica).rejected.byPath.gossip).toBe(before.byPath.gossip + 1)
    }
    await waitFor('the raw peer\'s gossipsub score drops', () => (replica.peerScore(raw.peerId.toString()) ?? 0) < 0)
    await unchangedEverywhere()
  })

  it('refuses, on sync, a forged newer version and a forged tombstone of the victim\'s record, and does not bring back a deleted record from its older version', async () => {
    const victimId = victim.peerId.toString()
    const overwrite = await forged({ origin: victimId }, { agent: `bot@${victimId}` })
    const tombstone = { ...await makeTombstone({ ...original, origin: raw.peerId.toString() }, original.seq + 12, raw.privateKey, [[original.seq, original.seq]]), origin: victimId }
    const otherAgent = await forged({}, { agent: `user@${victimId}`, id: 'raw-1' })
    served = [overwrite, tombstone, otherAgent]
    const before = stats(replica).rejected
    expect(await replica.libp2p.services.replication.sync(raw.peerId, C)).toBe(0)
    const after = stats(replica).rejected
    expect(after.byPath.sync).toBe(before.byPath.sync + 3)
    expect(after.byReason.signature).toBe(before.byReason.signature + 2)
    expect(after.byReason.owner).toBe(before.byReason.owner + 1)
    await unchangedEverywhere()
  })

  it('keeps a record the attacker signed with the victim\'s id as the attacker\'s own, beside the victim\'s, which is untouched', async () => {
    const own = await forged({})
    await raw.publish(MEM, MemoryGossip.encode({ records: [toWire(own)], notice: false }))
    await waitFor('the attacker\'s own record is stored apart', async () => (await replica.libp2p.services.memory.get(C, [original.id])).length === 2)
    const both = await replica.libp2p.services.memory.get(C, [original.id])
    expect(both.map(r => [r.origin, r.text]).sort()).toEqual([[victim.peerId.toString(), original.text], [raw.peerId.toString(), own.text]].sort())
    await unchangedEverywhere()
  })

  it('refuses a member\'s overwrite and delete of another node\'s record through its own API, with 403 and a count', async () => {
    const before = replica.libp2p.services.memory.ownershipRefusals()
    const served = await serveApi(replica, { port: 0 })
    try {
      const api = await ApiClient.fromDataDir(replica.config.dataDir)
      const path = `/v1/communities/${C}/memory`
      const refusal = async (call: Promise<unknown>): Promise<ApiRequestError> => call.then(() => { throw new Error('the call succeeded') }, (err: unknown) => err as ApiRequestError)
      const write = await refusal(api.post(path, { id: original.id, text: 'a member overwrites it' }))
      expect([write.status, write.code]).toEqual([403, 'not_owner'])
      expect(write.message).toMatch(/only its origin can write it/)
      const agent = await refusal(api.post(path, { text: 'as the victim\'s agent', agent: `user@${victim.peerId.toString()}` }))
      expect([agent.status, agent.code]).toEqual([400, 'bad_agent'])
      const del = await refusal(api.delete(`${path}/${original.id}`))
      expect([del.status, del.code]).toEqual([403, 'not_owner'])
      expect(del.message).toMatch(/only its origin can delete it/)
    } finally {
      await served.stop()
    }
    expect(replica.libp2p.services.memory.ownershipRefusals()).toEqual({ not_owner: before.not_owner + 2, bad_agent: before.bad_agent + 1 })
    await unchangedEverywhere()
  })

  it('keeps a record deleted by its origin deleted when its genuine older version is served again', async () => {
    await victim.libp2p.services.memory.delete(C, original.id)
    await waitFor('the tombstone reaches the replica', async () => (await victimsRecord(replica)).length === 0)
    served = [original]
    await replica.libp2p.services.replication.sync(raw.peerId, C)
    await raw.publish(MEM, MemoryGossip.encode({ records: [toWire(original)], notice: false }))
    const fresh = { ...await forged({}, { id: 'after-replay' }), seq: original.seq + 20 }
    await raw.publish(MEM, MemoryGossip.encode({ records: [toWire(await resignRecord(fresh))], notice: false }))
    // the raw peer's next record arrives after the replay on the same connection: by then the replay was handled
    await waitFor('a later record from the raw peer arrives', async () => (await replica.libp2p.services.memory.get(C, ['after-replay'])).length === 1)
    expect(await victimsRecord(replica)).toEqual([])
    expect(await victimsRecord(victim)).toEqual([])
  })

  async function resignRecord (r: StoredRecord): Promise<StoredRecord> {
    return { ...r, signature: Uint8Array.from(await raw.privateKey.sign(recordSigningBytes(r))) }
  }
})
