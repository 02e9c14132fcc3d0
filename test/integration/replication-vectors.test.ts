import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeRecord } from '../../src/memory/record.js'
import { toWire } from '../../src/memory/replication/codec.js'
import { MEMSYNC_PROTOCOL, memoryTopic } from '../../src/memory/replication/index.js'
import { signedVectorOf, signVector, vectorBytes, vectorOfBytes } from '../../src/memory/replication/vector.js'
import { MemoryGossip, SyncBatch, SyncRequest } from '../../src/wire/generated/memory.js'
import { CountingEmbedder, keptVectorsAdapter } from '../helpers/kept-vectors.js'
import { createRawPeer } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { KeepingStore } from '../helpers/kept-vectors.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { ReplicationStats } from '../../src/memory/replication/replicator.js'
import type { StoredRecord } from '../../src/memory/types.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer } from '../helpers/raw-peer.js'

const C = 'devsupport'
const layer = (bootstrap: string[] = []): ConfigLayer => ({ communities: [C], network: { bootstrap }, memory: { syncIntervalMs: 1500, capture: { '*': [] } } })
const LOCAL = { name: 'local-hash-v2', dimension: 1024 }

/** A node with a store that keeps vectors and an embedder that counts what it embeds. */
interface Peer { node: OaNode, store: KeepingStore, embedder: CountingEmbedder }

async function startPeer (root: string, name: string, bootstrap: string[], options: { embedder?: CountingEmbedder, tamper?: boolean } = {}): Promise<Peer> {
  const stores: KeepingStore[] = []
  const embedder = options.embedder ?? new CountingEmbedder()
  const node = await startTestNode(root, name, layer(bootstrap), { memoryStoreAdapter: keptVectorsAdapter(stores, { tamper: options.tamper === true }), memoryEmbedder: embedder })
  const store = stores[0]
  if (store == null) throw new Error('no store opened')
  return { node, store, embedder }
}

async function holds (node: OaNode, ids: string[]): Promise<boolean> {
  const held = await node.libp2p.services.memory.get(C, ids)
  return ids.every(id => held.some(r => r.id === id))
}

/** The vector a peer keeps for a record, as float32 bytes. */
function keptBytes (peer: Peer, r: StoredRecord): Uint8Array | undefined {
  const kept = peer.store.kept.get(`${r.community}|${r.origin}|${r.id}`)
  return kept == null ? undefined : vectorBytes(kept.vector)
}

const float32 = (v: number[]): Uint8Array => vectorBytes(vectorOfBytes(vectorBytes(v)))
const vectors = (peer: Peer): ReplicationStats['vectors'] => peer.node.libp2p.services.replication.stats().vectors

describe('vectors travel with replicated records', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const peers: Peer[] = []
  let origin: Peer
  let receiver: Peer
  let written: StoredRecord[] = []

  beforeAll(async () => {
    dir = await tempDir()
    origin = await startPeer(dir.path, 'origin', [])
    peers.push(origin)
    receiver = await startPeer(dir.path, 'receiver', [tcpAddr(origin.node)])
    peers.push(receiver)
    await waitFor('the receiver on the memory topic', () => origin.node.libp2p.services.pubsub.getSubscribers(memoryTopic(C)).some(p => p.equals(receiver.node.peerId)))
  })

  afterAll(async () => {
    await Promise.all(peers.filter(p => p.node.isStarted()).map(async p => p.node.stop()))
    await dir.cleanup()
  })

  it('by gossip: the receiver stores the origin\'s vector without embedding the text', async () => {
    const text = 'gossiped note: raise ef_search above k when recall drops'
    const r = await origin.node.libp2p.services.memory.remember(C, { text })
    await waitFor('the gossiped record', async () => holds(receiver.node, [r.id]))
    expect(receiver.embedder.texts).not.toContain(text)
    expect(vectors(receiver).used).toBe(1)
    const mine = keptBytes(origin, r)
    if (mine == null) throw new Error('the origin kept no vector')
    expect(keptBytes(receiver, r)).toEqual(mine)
    // the record's own signature names the vector: no vector signature travels or is kept
    const kept = receiver.store.kept.get(`${C}|${r.origin}|${r.id}`)
    expect(kept?.signedVector?.digest.byteLength).toBe(32)
    expect(kept?.vectorSignature).toBeUndefined()
    // the vector serves searches
    const [hit] = await receiver.node.libp2p.services.memory.recall(C, text, { mode: 'vector' })
    expect(hit?.record.id).toBe(r.id)
    written.push(r)
  })

  it('by catch-up from the origin and from a relay: the vectors are used, nothing is embedded', async () => {
    const batch = await origin.node.libp2p.services.memory.rememberMany(C, Array.from({ length: 40 }, (_, i) => ({ text: `caught up note ${i} about shard rebalancing` })))
    written = [...written, ...batch.records]
    const ids = written.map(r => r.id)
    await waitFor('the batch gossiped', async () => holds(receiver.node, ids))
    // a node that missed everything catches up from the origin
    const late = await startPeer(dir.path, 'late', [tcpAddr(origin.node)])
    peers.push(late)
    await waitFor('the late node caught up', async () => holds(late.node, ids))
    expect(late.node.libp2p.services.replication.stats().received.sync).toBeGreaterThan(0)
    expect(late.embedder.texts.filter(t => written.some(r => r.text === t))).toEqual([])
    for (const r of written) expect(keptBytes(late, r)).toEqual(keptBytes(origin, r))

    // with the origin gone, members relay its records with the vectors it signed
    await origin.node.stop()
    const later = await startPeer(dir.path, 'later', [tcpAddr(receiver.node)])
    peers.push(later)
    await waitFor('the later node caught up from relays', async () => holds(later.node, ids))
    expect(later.embedder.texts.filter(t => written.some(r => r.text === t))).toEqual([])
    expect(vectors(later).used).toBeGreaterThanOrEqual(written.length)
    expect(vectors(later).forged).toBe(0)
  })

  it('a receiver with another embedder embeds the texts itself', async () => {
    const other = await startPeer(dir.path, 'other-embedder', [tcpAddr(receiver.node)], { embedder: new CountingEmbedder('local-hash-v3') })
    peers.push(other)
    await waitFor('the other node caught up', async () => holds(other.node, written.map(r => r.id)))
    expect(other.embedder.texts).toEqual(expect.arrayContaining(written.map(r => r.text)))
    expect(vectors(other).used).toBe(0)
    expect(vectors(other).otherEmbedder).toBeGreaterThanOrEqual(written.length)
    // it holds its own embedding, so it passes no vector on: no signature kept
    expect([...other.store.kept.values()].every(k => k.vectorSignature == null)).toBe(true)
  })

  it('a member holding altered vectors passes none on (they are not the ones the records\' signatures name): the receiver embeds', async () => {
    const tamperer = await startPeer(dir.path, 'tamperer', [tcpAddr(receiver.node)], { tamper: true })
    peers.push(tamperer)
    await waitFor('the tamperer caught up', async () => holds(tamperer.node, written.map(r => r.id)))
    // only the tamperer is left to serve
    for (const p of peers) if (p !== tamperer && p.node.isStarted()) await p.node.stop()
    const victim = await startPeer(dir.path, 'victim', [tcpAddr(tamperer.node)])
    peers.push(victim)
    await waitFor('the victim caught up', async () => holds(victim.node, written.map(r => r.id)))
    expect(vectors(victim).used).toBe(0)
    expect(victim.embedder.texts).toEqual(expect.arrayContaining(written.map(r => r.text)))
    for (const r of written) {
      expect(keptBytes(victim, r)).toEqual(float32((await victim.embedder.embed([r.text]))[0] ?? []))
      expect(victim.store.kept.get(`${C}|${r.origin}|${r.id}`)?.vectorSignature).toBeUndefined()
    }
  })
})

describe('vectors from a raw peer', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: Peer
  let raw: RawPeer

  beforeAll(async () => {
    dir = await tempDir()
    target = await startPeer(dir.path, 'target', [])
    raw = await createRawPeer()
    await raw.join(target.node, memoryTopic(C))
  })

  afterAll(async () => {
    await raw.stop()
    await target.node.stop()
    await dir.cleanup()
  })

  const publish = async (wire: ReturnType<typeof toWire>): Promise<void> => {
    await raw.publish(memoryTopic(C), MemoryGossip.encode({ records: [wire], notice: false }))
  }
  const unit = (): number[] => Array.from({ length: LOCAL.dimension }, (_, i) => i === 7 ? 1 : 0)

  it('by gossip: a vector longer than its dimension is refused with its record, and counted', async () => {
    const r = await makeRecord({ text: 'a record with an oversized vector' }, C, 1, raw.privateKey)
    const carried = await signVector(raw.privateKey, r, LOCAL, unit())
    const before = target.node.libp2p.services.replication.stats().rejected.byReason.size
    await publish(toWire(r, undefined, { ...carried, bytes: vectorBytes([...unit(), 0.5]) }))
    await waitFor('the oversized vector refused', () => target.node.libp2p.services.replication.stats().rejected.byReason.size === before + 1)
    expect(await holds(target.node, [r.id])).toBe(false)
  })

  it('by gossip: a vector not signed by its origin is dropped and counted; the receiver embeds', async () => {
    const stranger = await generateKeyPair('Ed25519')
    const cases = [
      ['signed by another key', async (r: StoredRecord) => signVector(stranger, r, LOCAL, unit())],
      ['with no signature', async (r: StoredRecord) => ({ ...await signVector(raw.privateKey, r, LOCAL, unit()), signature: new Uint8Array(0) })],
      ['signed for another seq', async (r: StoredRecord) => signVector(raw.privateKey, { ...r, seq: r.seq + 1 }, LOCAL, unit())]
    ] as const
    for (const [i, [what, carry]] of cases.entries()) {
      const r = await makeRecord({ text: `a record whose vector is ${what}` }, C, 2 + i, raw.privateKey)
      const before = vectors(target).forged
      await publish(toWire(r, undefined, await carry(r)))
      await waitFor(`the record ${what}`, async () => holds(target.node, [r.id]))
      expect(vectors(target).forged).toBe(before + 1)
      expect(target.embedder.texts).toContain(r.text)
      expect(keptBytes(target, r)).not.toEqual(float32(unit()))
      expect(keptBytes(target, r)).toEqual(float32((await target.embedder.embed([r.text]))[0] ?? []))
    }
    // signed by its origin, the same vector is used
    const good = await makeRecord({ text: 'a record whose vector its origin signed' }, C, 10, raw.privateKey)
    await publish(toWire(good, undefined, await signVector(raw.privateKey, good, LOCAL, unit())))
    await waitFor('the well-signed record', async () => holds(target.node, [good.id]))
    expect(target.embedder.texts).not.toContain(good.text)
    expect(keptBytes(target, good)).toEqual(float32(unit()))
  })

  it('by gossip: a record whose signature names its vector is taken with no vector signature of its own; another vector beside it is dropped and counted; an altered digest refuses the record', async () => {
    const vector = unit()
    const signedVector = signedVectorOf(LOCAL, vector)
    const carried = { embedder: LOCAL.name, dimension: LOCAL.dimension, bytes: vectorBytes(vector), signature: new Uint8Array(0) }
    const good = await makeRecord({ text: 'a record whose signature names its vector' }, C, 20, raw.privateKey, { signedVector })
    await publish(toWire(good, undefined, carried))
    await waitFor('the record with its signed vector', async () => holds(target.node, [good.id]))
    expect(target.embedder.texts).not.toContain(good.text)
    expect(keptBytes(target, good)).toEqual(float32(vector))

    const other = await makeRecord({ text: 'a record carried with a vector its signature does not name' }, C, 21, raw.privateKey, { signedVector })
    const before = vectors(target).forged
    await publish(toWire(other, undefined, { ...carried, bytes: vectorBytes(vector.map((x, i) => i === 3 ? 1 : x)) }))
    await waitFor('the record without the altered vector', async () => holds(target.node, [other.id]))
    expect(vectors(target).forged).toBe(before + 1)
    expect(target.embedder.texts).toContain(other.text)

    const altered = await makeRecord({ text: 'a record whose signed digest was altered on the way' }, C, 22, raw.privateKey, { signedVector })
    const digest = Uint8Array.from(signedVector.digest)
    digest[0] = (digest[0] ?? 0) ^ 1
    const rejected = target.node.libp2p.services.replication.stats().rejected.total
    await publish(toWire({ ...altered, signedVector: { ...signedVector, digest } }, undefined, carried))
    await waitFor('the altered record refused', () => target.node.libp2p.services.replication.stats().rejected.total > rejected)
    expect(await holds(target.node, [altered.id])).toBe(false)
  })

  it('by catch-up: a relayed vector signed by the relay, not the origin, is dropped and counted', async () => {
    const originKey = await generateKeyPair('Ed25519')
    const r = await makeRecord({ text: 'relayed by a peer that signs vectors itself' }, C, 1, originKey)
    const forged = await signVector(raw.privateKey, r, LOCAL, unit())
    await raw.libp2p.handle(MEMSYNC_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      SyncRequest.decode(await lp.read())
      await lp.write(SyncBatch.encode({ records: [toWire(r, undefined, forged)], done: true, error: '' }))
      await stream.close().catch(() => {})
    })
    const before = vectors(target).forged
    expect(await target.node.libp2p.services.replication.sync(raw.peerId, C)).toBe(1)
    expect(vectors(target).forged).toBe(before + 1)
    expect(target.embedder.texts).toContain(r.text)
    expect(keptBytes(target, r)).not.toEqual(float32(unit()))
  })
})
