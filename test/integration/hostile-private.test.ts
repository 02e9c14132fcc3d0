import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newKey } from '../../src/communities/crypto.js'
import { Keyring } from '../../src/communities/keyring.js'
import { signObject } from '../../src/communities/objects.js'
import { openEnvelope, sealEnvelope } from '../../src/communities/sealed-envelope.js'
import { capabilityKey, communityKey } from '../../src/discovery/keys.js'
import { createEnvelope } from '../../src/events/envelope.js'
import { makeRecord } from '../../src/memory/record.js'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { decodeWire, fromWire, toWire } from '../../src/memory/replication/codec.js'
import { vectorBytes } from '../../src/memory/replication/vector.js'
import { memoryTopic } from '../../src/memory/replication/replicator.js'
import { CommunityGossip, CommunityRequest } from '../../src/wire/generated/community.js'
import { DirectResponse, Envelope } from '../../src/wire/generated/event.js'
import { MemoryGossip } from '../../src/wire/generated/memory.js'
import { channelTopic } from '../../src/wire/topics.js'
import { askCards, askCommunity, askDirect, askHistory, askMemory, createRawPeer, createRelayPeer, signedBy } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { CommunitySealer } from '../../src/communities/access.js'
import type { Role } from '../../src/communities/objects.js'
import type { EnvelopeInit } from '../../src/events/envelope.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { ForumService } from '../../src/mods/forum/index.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer, RelayPeer } from '../helpers/raw-peer.js'
import type { Message, SignedMessage } from '@libp2p/gossipsub'
import type { CID } from 'multiformats/cid'

const V = 'vault'
const LOBBY = 'lobby'
const SECRET = 'the launch code is 7421'
const LATER = 'after the removal the launch code is 9999'
/** A raw peer sends at most this many invalid things, staying clear of the graylist. */
const PER_PEER = 4

const layer = (bootstrap: string[] = []): ConfigLayer => ({ communities: [LOBBY], network: { bootstrap }, memory: { syncIntervalMs: 1500 } })
const holds = (bytes: Uint8Array, text: string): boolean => Buffer.from(bytes).includes(Buffer.from(text))
const decoder = new TextDecoder()

/** The peers in a node's gossipsub mesh of a topic (a public method of the router that its interface type leaves out). */
function meshOf (node: OaNode, topic: string): string[] {
  return (node.libp2p.services.pubsub as unknown as { getMeshPeers: (topic: string) => string[] }).getMeshPeers(topic)
}

/** The providers a node finds for a DHT key within a few seconds. */
async function providersOf (node: OaNode, key: CID): Promise<string[]> {
  const signal = AbortSignal.timeout(3_000)
  const found: string[] = []
  try {
    for await (const provider of node.libp2p.contentRouting.findProviders(key, { signal })) found.push(provider.id.toString())
  } catch (err) {
    if (!signal.aborted) throw err
  }
  return found
}

/** A sealer with a key nobody was granted, naming the community by the wire name an outsider reads off its topics. */
function strangerSealer (epoch: number, wireName: string): CommunitySealer {
  const ring = new Keyring(newKey(), new Map([[epoch, newKey()]]))
  return { name: V, wireName, seal: (aad, plaintext) => ring.seal(aad, plaintext), open: (aad, e, bytes) => ring.open(aad, e, bytes) }
}

describe('a private community against peers that are not (or no longer) its writers', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: OaNode
  let honest: OaNode
  /** Never joined and never misbehaves: it only listens on the topics it saw the target subscribe to. */
  let spy: RawPeer
  let relay: RelayPeer
  const raws: RawPeer[] = []
  const others: OaNode[] = []
  let current: { peer: RawPeer, used: number } | undefined
  let vaultId = ''
  let GENERAL = ''
  let MEM = ''
  let CTL = ''
  let posted: { id: string }
  let remembered: { id: string }
  const handled: string[] = []
  let unique = 0

  const communities = (node: OaNode) => node.libp2p.services.communities
  const storedIds = (): string[] => target.libp2p.services.channels.list(V, 'general', { limit: 1000 }).map(m => m.id)
  const memoryRecords = async () => target.libp2p.services.memory.page(V, undefined, 1000)
  const memoryIds = async (): Promise<string[]> => (await memoryRecords()).map(r => r.id)
  const memoryRejected = () => target.libp2p.services.replication.stats().rejected

  /** A raw peer connected to the target and subscribed to the vault's topics, with invalid messages to spare. */
  async function raw (): Promise<RawPeer> {
    if (current == null || current.used >= PER_PEER) {
      const peer = await createRawPeer()
      raws.push(peer)
      await peer.connect(target)
      for (const topic of [GENERAL, MEM, CTL]) peer.subscribe(topic)
      await waitFor('the target sees the raw peer on the vault topics', () => [GENERAL, MEM, CTL].every(t => target.libp2p.services.pubsub.getSubscribers(t).some(p => p.equals(peer.peerId))))
      current = { peer, used: 0 }
    }
    current.used++
    return current.peer
  }

  /** Resolves with the next channel rejection on the target that `match` accepts. */
  function nextRejection (match: (r: { reason: string, peer?: string }) => boolean): Promise<{ reason: string, path: string, peer?: string }> {
    return new Promise((resolve, reject) => {
      const channels = target.libp2p.services.channels
      const timer = setTimeout(() => { channels.removeEventListener('rejected', listener); reject(new Error('no rejection within 10 s')) }, 10_000)
      const listener = (evt: CustomEvent<{ reason: string, path: string, peer?: string }>): void => {
        if (!match(evt.detail)) return
        clearTimeout(timer)
        channels.removeEventListener('rejected', listener)
        resolve(evt.detail)
      }
      channels.addEventListener('rejected', listener)
    })
  }

  async function invited (name: string, role: Role): Promise<OaNode> {
    const node = await startTestNode(dir.path, name, layer([tcpAddr(target)]))
    others.push(node)
    const { invite } = await communities(target).invite(V, { for: node.peerId.toString(), role })
    await communities(node).join(invite)
    await waitFor(`${name} subscribed to the vault on the target`, () => target.libp2p.services.pubsub.getSubscribers(GENERAL).some(p => p.equals(node.peerId)))
    return node
  }

  function post (overrides: Partial<EnvelopeInit> = {}): EnvelopeInit {
    return { type: 'channel.message.post', community: V, channel: 'general', agent: 'bot', payload: { text: `planted ${unique++}` }, ...overrides }
  }

  /** An honest post that reaches the target: whatever was sent before it has been handled. */
  async function honestMarker (): Promise<string> {
    const marker = await honest.libp2p.services.channels.post({ community: V, channel: 'general', text: `marker ${unique++}` })
    await waitFor('the honest marker is stored on the target', () => storedIds().includes(marker.id))
    return marker.id
  }

  const envelopesOn = (messages: Message[], topic: string): Envelope[] => messages.filter(m => m.topic === topic).map(m => Envelope.decode(m.data))
  const credentialsOn = (messages: Message[]): Array<{ community: string, member: string, role: string, expiresAt?: number }> => messages.filter(m => m.topic === CTL)
    .flatMap(m => CommunityGossip.decode(m.data).objects).filter(o => o.kind === 'credential')
    .map(o => JSON.parse(decoder.decode(o.body)) as { community: string, member: string, role: string, expiresAt?: number })
  const recordsOn = (messages: Message[], topic: string) => messages.filter(m => m.topic === topic).flatMap(m => MemoryGossip.decode(m.data).records)

  beforeAll(async () => {
    dir = await tempDir()
    target = await startTestNode(dir.path, 'target', layer())
    vaultId = (await communities(target).create(V, 'private')).id
    const wire = communities(target).wireName(V)
    GENERAL = channelTopic(wire, 'general')
    MEM = memoryTopic(wire)
    CTL = `oa/1/${wire}/ctl`
    honest = await startTestNode(dir.path, 'honest', layer([tcpAddr(target)]))
    await communities(honest).join((await communities(target).invite(V, { for: honest.peerId.toString(), role: 'member' })).invite)
    await waitFor('honest and target share the vault', () => [GENERAL, MEM].every(t => target.libp2p.services.pubsub.getSubscribers(t).some(p => p.equals(honest.peerId))))

    target.libp2p.services.discovery.register({ name: 'keeper', description: 'keeps the vault', community: V, capabilities: ['secrets'], channels: ['general'], kind: 'custom' })
    target.libp2p.services.discovery.register({ name: 'greeter', description: 'says hello', community: LOBBY, capabilities: ['hello'], channels: ['general'], kind: 'custom' })
    target.libp2p.services.channels.handleDirect('keeper', async (request) => { handled.push(request.id); return { opened: true } })

    // the spy learns the topics by connecting, and listens on all of them
    spy = await createRawPeer()
    raws.push(spy)
    await spy.connect(target)
    await waitFor('the target announced the vault topics', () => [GENERAL, MEM].every(t => spy.topicsOf(target.peerId).includes(t)))
    for (const topic of spy.topicsOf(target.peerId)) spy.subscribe(topic)
    await waitFor('the spy is in the target\'s mesh of the vault topics', () => [GENERAL, MEM].every(t => meshOf(target, t).includes(spy.peerId.toString())))
    relay = await createRelayPeer()

    posted = await honest.libp2p.services.channels.post({ community: V, channel: 'general', text: SECRET })
    remembered = await honest.libp2p.services.memory.remember(V, { text: SECRET, kind: 'expert_knowledge' })
    await waitFor('the target holds the post', () => storedIds().includes(posted.id))
    await waitFor('the target holds the memory', async () => (await memoryIds()).includes(remembered.id))
    await waitFor('the spy received the sealed post and record', () =>
      envelopesOn(spy.received, GENERAL).some(e => e.id === posted.id) && recordsOn(spy.received, MEM).some(r => r.id === remembered.id))
  })

  afterAll(async () => {
    await relay?.stop()
    await Promise.all(raws.map(async r => r.stop()))
    await Promise.all(others.map(async n => n.stop()))
    await honest?.stop()
    await target?.stop()
    await dir?.cleanup()
  })

  it('refuses a non-member\'s history request for the vault and counts it as membership', async () => {
    const peer = await raw()
    const before = target.status().rejected
    const frames = await askHistory(peer.libp2p, target.peerId, V, 'general')
    expect(frames.flatMap(f => f.messages)).toEqual([])
    expect(frames[0]?.error).toMatch(/not a member/)
    const after = target.status().rejected
    expect(after.byReason.membership).toBe(before.byReason.membership + 1)
    expect(after.byPath.history).toBe(before.byPath.history + 1)
    // the same request from a member is answered, sealed
    const served = (await askHistory(honest.libp2p, target.peerId, V, 'general')).flatMap(f => f.messages)
    expect(served.map(e => e.id)).toContain(posted.id)
    expect(served.every(e => e.epoch > 0 && !holds(e.payload, '7421'))).toBe(true)
  })

  it('refuses a non-member\'s memory sync for the vault and counts it as membership', async () => {
    const peer = await raw()
    const before = memoryRejected()
    const batches = await askMemory(peer.libp2p, target.peerId, V)
    expect(batches.flatMap(b => b.records)).toEqual([])
    expect(batches[0]?.error).toMatch(/not a member/)
    const after = memoryRejected()
    expect(after.byReason.membership).toBe(before.byReason.membership + 1)
    expect(after.byPath.sync).toBe(before.byPath.sync + 1)
    const served = (await askMemory(honest.libp2p, target.peerId, V)).flatMap(b => b.records)
    expect(served.map(r => r.id)).toContain(remembered.id)
    expect(served.every(r => r.epoch > 0 && r.text === '' && !holds(r.sealed, '7421'))).toBe(true)
  })

  it('serves a non-member no card of a vault agent, asked for the vault or for every community', async () => {
    const peer = await raw()
    expect((await askCards(peer.libp2p, target.peerId, V)).cards).toEqual([])
    const all = (await askCards(peer.libp2p, target.peerId, '')).cards
    expect(all.map(c => `${c.name}/${c.community}`)).toEqual(['greeter/lobby'])
    expect((await askCards(honest.libp2p, target.peerId, V)).cards.map(c => c.name)).toEqual(['keeper'])
  })

  it('rejects a non-member\'s direct request to the vault agent as membership, without running the agent', async () => {
    const reply = await honest.libp2p.services.channels.request({ from: 'user', to: `keeper@${target.peerId.toString()}`, community: V, payload: { text: 'open' } })
    expect(reply.payload).toEqual({ opened: true })
    expect(handled).toHaveLength(1)

    const peer = await raw()
    const before = target.status().rejected.byReason.membership
    const request = await signedBy(peer, { type: 'direct.request.send', community: V, agent: 'bot', target: `keeper@${target.peerId.toString()}`, payload: { text: 'what is the code?' } })
    const response = await peer.direct(target.peerId, Envelope.encode(request))
    expect(response.status).toBe(DirectResponse.Status.REJECTED)
    expect(response.error).toMatch(/^community: no community of that name is open/)
    expect(response.envelope).toBeUndefined()
    expect(target.status().rejected.byReason.membership).toBe(before + 1)
    expect(handled).toHaveLength(1)
    // the answer does not tell a private community from one the node never heard of
    const guess = await signedBy(peer, { type: 'direct.request.send', community: 'no-such-place', agent: 'bot', target: `keeper@${target.peerId.toString()}`, payload: { text: 'hello?' } })
    expect((await peer.direct(target.peerId, Envelope.encode(guess))).error).toBe(response.error)
  })

  it('shows a peer that connects only derived topic names, and only ciphertext on them', async () => {
    const topics = spy.topicsOf(target.peerId)
    expect(topics).toEqual(expect.arrayContaining([GENERAL, MEM, CTL, channelTopic(LOBBY, 'general')]))
    expect(topics.filter(t => t.includes(V))).toEqual([])

    const envelopes = envelopesOn(spy.received, GENERAL)
    const sealed = envelopes.find(e => e.id === posted.id)
    expect(sealed?.epoch).toBeGreaterThan(0)
    for (const e of envelopes) {
      expect(e.epoch).toBeGreaterThan(0)
      expect(() => JSON.parse(decoder.decode(e.payload)) as unknown).toThrow()
    }
    const records = recordsOn(spy.received, MEM)
    expect(records.map(r => r.id)).toContain(remembered.id)
    for (const r of records) {
      expect(r.epoch).toBeGreaterThan(0)
      expect([r.text, r.metadata]).toEqual(['', ''])
      expect(() => JSON.parse(decoder.decode(r.sealed)) as unknown).toThrow()
      // the vector, which gives away the meaning of the text, travels sealed too
      expect([r.vector.byteLength, r.embedder, r.dimension, r.vectorSignature.byteLength]).toEqual([0, '', 0, 0])
    }
    // a member opens it and uses it
    const sealedRecord = records.find(r => r.id === remembered.id)!
    const vector = vectorBytes((await new LocalEmbedder().embed([SECRET]))[0] ?? [])
    expect(decodeWire(sealedRecord, communities(target).sealer(V)).vector?.bytes).toEqual(vector)
    expect(target.libp2p.services.replication.stats().vectors.used).toBeGreaterThanOrEqual(1)
    // no stretch of the vector's bytes is in the clear (a window from its first non-zero value)
    const first = vector.findIndex(b => b !== 0) & ~3
    for (const m of spy.received.filter(m => m.topic === MEM)) expect(Buffer.from(m.data).includes(Buffer.from(vector.subarray(first, first + 16)))).toBe(false)
    for (const m of spy.received.filter(m => [GENERAL, MEM, CTL].includes(m.topic))) {
      expect(holds(m.data, '7421')).toBe(false)
      expect(holds(m.data, 'launch code')).toBe(false)
      // not even the community's name travels: sealed content names it by its wire name
      expect(holds(m.data, V)).toBe(false)
    }
  })

  it('carries the vault\'s forum sealed: a member\'s topic and vote reach the target, and the spy on the forum topic reads neither', async () => {
    const FORUM = channelTopic(communities(target).wireName(V), 'forum')
    expect(spy.topicsOf(target.peerId)).toContain(FORUM)
    const forumOf = (node: OaNode): ForumService => node.service<ForumService>('forum')!
    const topic = await forumOf(honest).post(V, { title: 'Where is the launch code 7421 kept?', body: 'In the vault, sealed.', tags: ['secrets'] })
    await forumOf(honest).vote(V, topic.id, 'up')
    await waitFor('the target holds the topic and its vote', () => forumOf(target).list(V).find(t => t.id === topic.id)?.score === 1)
    await waitFor('the spy received the topic\'s operations', () => envelopesOn(spy.received, FORUM).some(e => e.id === topic.id))
    for (const e of envelopesOn(spy.received, FORUM)) {
      expect(e.epoch).toBeGreaterThan(0)
      expect(() => JSON.parse(decoder.decode(e.payload)) as unknown).toThrow()
    }
    for (const m of spy.received.filter(m => m.topic === FORUM)) {
      expect(holds(m.data, '7421')).toBe(false)
      expect(holds(m.data, 'launch code')).toBe(false)
    }
  })

  it('provides the vault and its agents\' capabilities on the DHT only under keys derived from its id and secret', async () => {
    const wire = communities(target).wireName(V)
    const self = target.peerId.toString()
    await waitFor('the target provides the vault\'s derived key', async () => (await providersOf(honest, communityKey(wire))).includes(self), 30_000)
    await waitFor('the target provides the keeper\'s capability', async () => (await providersOf(honest, capabilityKey(wire, 'secrets'))).includes(self), 30_000)
    expect(await providersOf(honest, communityKey(V))).not.toContain(self)
    expect(await providersOf(honest, capabilityKey(V, 'secrets'))).not.toContain(self)
  })

  it('rejects what a non-member publishes on the vault topics, and stores none of it', async () => {
    const ids = storedIds()
    const records = await memoryIds()

    const clear = await raw()
    let rejection = nextRejection(r => r.peer === clear.peerId.toString())
    await clear.publish(GENERAL, Envelope.encode(await signedBy(clear, post())))
    expect((await rejection).reason).toBe('sealed')

    const forger = await raw()
    rejection = nextRejection(r => r.peer === forger.peerId.toString())
    await forger.publish(GENERAL, Envelope.encode(sealEnvelope(await signedBy(forger, post()), strangerSealer(communities(target).describe(V)?.epoch ?? 1, communities(target).wireName(V)))))
    // the sender is known (it published): it is refused as a non-member before its seal is looked at
    expect((await rejection).reason).toBe('membership')
    // however it is sealed, even with an epoch the target does not hold: still membership, with a penalty, never `key`
    const keyBefore = target.status().rejected.byReason.key
    rejection = nextRejection(r => r.peer === forger.peerId.toString())
    await forger.publish(GENERAL, Envelope.encode(sealEnvelope(await signedBy(forger, post()), strangerSealer(99, communities(target).wireName(V)))))
    expect((await rejection).reason).toBe('membership')
    expect(target.status().rejected.byReason.key).toBe(keyBefore)

    const writer = await raw()
    const before = memoryRejected()
    const record = await makeRecord({ text: 'planted memory', kind: 'expert_knowledge' }, V, 1, writer.privateKey)
    await writer.publish(MEM, MemoryGossip.encode({ records: [toWire(record, strangerSealer(1, communities(target).wireName(V)))], notice: false }))
    await waitFor('the planted record is refused', () => memoryRejected().byReason.membership === before.byReason.membership + 1)
    expect(memoryRejected().byPath.gossip).toBe(before.byPath.gossip + 1)

    // an exact copy of the honest post, signed by its author, relayed again: gossipsub knows its id and drops it
    const original = spy.received.find(m => m.topic === GENERAL && Envelope.decode(m.data).id === posted.id)
    expect(original?.type).toBe('signed')
    const replayBefore = target.status().rejected.total
    await relay.relay(target, original as SignedMessage)

    const marker = await honestMarker()
    const markerRecord = `msg-${marker}`
    await waitFor('the marker\'s memory record reaches the target', async () => (await memoryIds()).includes(markerRecord))
    expect(target.status().rejected.total).toBe(replayBefore)
    expect(storedIds().sort()).toEqual([...ids, marker].sort())
    // what is new in memory was written by the honest member (its post, its captured direct exchange)
    const fresh = (await memoryRecords()).filter(r => !records.includes(r.id))
    expect(fresh.map(r => r.id)).toContain(markerRecord)
    expect(fresh.filter(r => r.origin !== honest.peerId.toString())).toEqual([])
  })

  it('refuses a forged credential, a self-signed bearer invite and a non-member\'s sync on the control plane', async () => {
    const members = communities(target).members(V)
    const peer = await raw()
    const before = communities(target).rejected()
    const credential = await signObject('credential', { community: vaultId, member: peer.peerId.toString(), role: 'admin', issuedAt: Date.now() }, peer.privateKey)
    await peer.publish(CTL, CommunityGossip.encode({ objects: [credential.object] }))
    await waitFor('the forged credential is refused', () => communities(target).rejected().byReason.issuer === before.byReason.issuer + 1)

    const bearer = await signObject('bearer', { community: vaultId, role: 'admin', issuedAt: Date.now(), nonce: randomBytes(16).toString('hex') }, peer.privateKey)
    const redeemed = await askCommunity(peer.libp2p, target.peerId, { op: CommunityRequest.Op.REDEEM, community: vaultId, bearer: bearer.object })
    expect(redeemed.objects).toEqual([])
    expect(redeemed.error).toMatch(/not valid/)
    expect(communities(target).rejected().byReason.bearer).toBe(before.byReason.bearer + 1)

    const synced = await askCommunity(peer.libp2p, target.peerId, { op: CommunityRequest.Op.SYNC, community: vaultId })
    expect(synced.objects).toEqual([])
    expect(synced.error).toMatch(/no such community open to this peer/)
    // the same answer as for an id the node does not hold
    expect((await askCommunity(peer.libp2p, target.peerId, { op: CommunityRequest.Op.SYNC, community: `c${'0'.repeat(40)}` })).error).toBe(synced.error)
    expect(communities(target).rejected().byReason.not_member).toBe(before.byReason.not_member + 1)

    expect(communities(target).members(V)).toEqual(members)
    expect(communities(target).stateOf(V)?.roleOf(peer.peerId.toString())).toBeUndefined()
    // a member's sync is answered, with its own key grant
    const own = await askCommunity(honest.libp2p, target.peerId, { op: CommunityRequest.Op.SYNC, community: vaultId })
    expect(own.error).toBe('')
    expect(own.objects.some(o => o.kind === 'grant')).toBe(true)
  })

  it('gives a removed member nothing written after its removal, and nothing it can open', async () => {
    const ex = await invited('ex', 'member')
    await waitFor('ex reads the vault\'s history while a member', () => ex.libp2p.services.channels.list(V, 'general', { limit: 1000 }).some(m => m.id === posted.id))
    const exSealer = communities(ex).sealer(V)
    if (exSealer == null) throw new Error('ex holds no sealer of the vault')

    await communities(target).remove(V, ex.peerId.toString())
    await waitFor('ex learns it was removed', () => communities(ex).stateOf(V)?.roleOf(ex.peerId.toString()) == null)
    await waitFor('honest holds the new key', () => communities(honest).hasEpoch(V, 2))
    expect(communities(ex).hasEpoch(V, 2)).toBe(false)

    // what ex would hear if it kept listening on the topics whose names it still knows
    const later = await honest.libp2p.services.channels.post({ community: V, channel: 'general', text: LATER })
    const laterRecord = await honest.libp2p.services.memory.remember(V, { text: LATER })
    await waitFor('the later post and record go by on the vault topics', () =>
      envelopesOn(spy.received, GENERAL).some(e => e.id === later.id) && recordsOn(spy.received, MEM).some(r => r.id === laterRecord.id))
    const envelope = envelopesOn(spy.received, GENERAL).find(e => e.id === later.id)!
    expect(envelope.epoch).toBe(2)
    expect(() => openEnvelope(envelope, exSealer)).toThrow(/no key for epoch 2/)
    expect(() => fromWire(recordsOn(spy.received, MEM).find(r => r.id === laterRecord.id)!, exSealer)).toThrow(/does not open/)

    const before = { channels: target.status().rejected, memory: memoryRejected(), control: communities(target).rejected() }
    const history = await askHistory(ex.libp2p, target.peerId, V, 'general')
    expect(history.flatMap(f => f.messages)).toEqual([])
    const memory = await askMemory(ex.libp2p, target.peerId, V)
    expect(memory.flatMap(b => b.records)).toEqual([])
    expect((await askCards(ex.libp2p, target.peerId, V)).cards).toEqual([])
    // asked again, a removed member learns of its removal and nothing else: no grant, no other credential
    const sync = await askCommunity(ex.libp2p, target.peerId, { op: CommunityRequest.Op.SYNC, community: vaultId })
    expect(sync.objects.map(o => o.kind)).toEqual(['genesis', 'revocation'])
    const request = await createEnvelope({ type: 'direct.request.send', community: V, agent: 'user', target: `keeper@${target.peerId.toString()}`, payload: { text: 'still there?' } }, ex.privateKey)
    const handledBefore = handled.length
    const response = await askDirect(ex.libp2p, target.peerId, Envelope.encode(request))
    expect(response.status).toBe(DirectResponse.Status.REJECTED)
    expect(response.error).toMatch(/^community: no community of that name is open/)
    expect(handled).toHaveLength(handledBefore)
    // a post ex seals with the old key it still holds
    const rejection = nextRejection(r => r.peer === ex.peerId.toString())
    const forged = await createEnvelope({ ...post(), agent: 'user' }, ex.privateKey)
    await ex.libp2p.services.pubsub.publish(GENERAL, Envelope.encode(sealEnvelope(forged, { ...exSealer, seal: (aad, plaintext) => ({ epoch: 1, bytes: exSealer.seal(aad, plaintext).bytes }) })))
    expect((await rejection).reason).toBe('membership')

    const after = { channels: target.status().rejected, memory: memoryRejected(), control: communities(target).rejected() }
    expect(after.channels.byReason.membership).toBe(before.channels.byReason.membership + 3)
    expect(after.channels.byPath.history).toBe(before.channels.byPath.history + 1)
    expect(after.memory.byReason.membership).toBe(before.memory.byReason.membership + 1)
    // its SYNC was answered with its removal, not refused
    expect(after.control.byReason.not_member).toBe(before.control.byReason.not_member)
    await honestMarker()
    expect(storedIds()).not.toContain(forged.id)
  })

  it('lets a reader read, refuses its writes locally, and rejects the post it forges as membership', async () => {
    const reader = await invited('reader', 'reader')
    await waitFor('the reader backfilled the vault\'s history', () => reader.libp2p.services.channels.list(V, 'general', { limit: 1000 }).some(m => m.id === posted.id))
    expect(reader.libp2p.services.channels.list(V, 'general', { limit: 1000 }).find(m => m.id === posted.id)?.payload).toMatchObject({ text: SECRET })
    await waitFor('the reader synced the vault\'s memory', async () => (await reader.libp2p.services.memory.get(V, [remembered.id])).length === 1)

    await expect(reader.libp2p.services.channels.post({ community: V, channel: 'general', text: 'may I?' })).rejects.toMatchObject({ name: 'ChannelInputError', code: 'read_only' })
    await expect(reader.libp2p.services.memory.remember(V, { text: 'may I?' })).rejects.toMatchObject({ name: 'MemoryInputError', code: 'read_only' })
    await expect(reader.libp2p.services.channels.request({ from: 'user', to: `keeper@${target.peerId.toString()}`, community: V, payload: {} })).rejects.toMatchObject({ code: 'read_only' })

    const sealer = communities(reader).sealer(V)
    if (sealer == null) throw new Error('the reader holds no sealer of the vault')
    const before = { channels: target.status().rejected.byReason.membership, memory: memoryRejected().byReason.membership }
    const rejection = nextRejection(r => r.peer === reader.peerId.toString())
    const forged = await createEnvelope({ ...post(), agent: 'user' }, reader.privateKey)
    await reader.libp2p.services.pubsub.publish(GENERAL, Envelope.encode(sealEnvelope(forged, sealer)))
    expect((await rejection).reason).toBe('membership')
    expect(target.status().rejected.byReason.membership).toBe(before.channels + 1)

    const record = await makeRecord({ text: 'a reader\'s note', kind: 'expert_knowledge' }, V, 1, reader.privateKey)
    await reader.libp2p.services.pubsub.publish(MEM, MemoryGossip.encode({ records: [toWire(record, sealer)], notice: false }))
    await waitFor('the reader\'s record is refused', () => memoryRejected().byReason.membership === before.memory + 1)

    await honestMarker()
    expect(storedIds()).not.toContain(forged.id)
    expect(await memoryIds()).not.toContain(record.id)
  })

  it('refuses the posts and memories of a member whose credential has expired, and lets an admin remove it, rotating the key', async () => {
    const node = await startTestNode(dir.path, 'expiring', layer([tcpAddr(target)]))
    others.push(node)
    const peer = node.peerId.toString()
    const { invite, expiresAt } = await communities(target).invite(V, { for: peer, role: 'member', expiresInMs: 4_000 })
    await communities(node).join(invite)
    await waitFor('the target sees the expiring member on the vault topics', () => [GENERAL, MEM].every(t => target.libp2p.services.pubsub.getSubscribers(t).some(p => p.equals(node.peerId))))
    const sealer = communities(node).sealer(V)
    if (sealer == null) throw new Error('the expiring member holds no sealer of the vault')
    // a peer that listens on the control topic reads the credential in the clear: who, which role, until when
    await waitFor('the spy received the credential on the control topic', () => credentialsOn(spy.received).some(c => c.member === peer))
    expect(credentialsOn(spy.received).find(c => c.member === peer)).toMatchObject({ community: vaultId, role: 'member', expiresAt })
    await waitFor('the credential has expired on the target', () => communities(target).stateOf(V)?.roleOf(peer) == null && Date.now() > (expiresAt ?? 0), 15_000)

    // what it still sends, sealed with the key it still holds
    const before = { channels: target.status().rejected.byReason.membership, memory: memoryRejected().byReason.membership }
    const rejection = nextRejection(r => r.peer === peer)
    const forged = await createEnvelope({ ...post(), agent: 'user' }, node.privateKey)
    await node.libp2p.services.pubsub.publish(GENERAL, Envelope.encode(sealEnvelope(forged, sealer)))
    expect((await rejection).reason).toBe('membership')
    expect(target.status().rejected.byReason.membership).toBe(before.channels + 1)
    const record = await makeRecord({ text: 'an expired member\'s note', kind: 'expert_knowledge' }, V, 1, node.privateKey)
    await node.libp2p.services.pubsub.publish(MEM, MemoryGossip.encode({ records: [toWire(record, sealer)], notice: false }))
    await waitFor('the expired member\'s record is refused', () => memoryRejected().byReason.membership === before.memory + 1)
    await honestMarker()
    expect(storedIds()).not.toContain(forged.id)
    expect(await memoryIds()).not.toContain(record.id)

    // expiry did not rotate the key: the expired node still holds the one in use, until an admin removes it
    const epoch = communities(target).describe(V)?.epoch ?? 0
    expect(communities(node).hasEpoch(V, epoch)).toBe(true)
    await communities(target).remove(V, peer)
    expect(communities(target).describe(V)?.epoch).toBe(epoch + 1)
    await waitFor('honest holds the key the removal made', () => communities(honest).hasEpoch(V, epoch + 1))
    expect(communities(node).hasEpoch(V, epoch + 1)).toBe(false)
    expect(communities(target).stateOf(V)?.removalsOf(peer)).toHaveLength(1)
    // removed once, it cannot be removed again; a peer that never was a member cannot be removed
    const again = await communities(target).remove(V, peer).catch((err: unknown) => err)
    expect(again).toMatchObject({ code: 'not_member' })
    expect((again as Error).message).toMatch(/already been removed/)
    const outsider = await communities(target).remove(V, spy.peerId.toString()).catch((err: unknown) => err)
    expect(outsider).toMatchObject({ code: 'not_member' })
    expect((outsider as Error).message).toMatch(/never been a member/)
  })

  it('refuses a replayed copy of a real sealed post as a replay once gossipsub has forgotten its id', async () => {
    // gossipsub drops a copy whose message id it saw in the last two minutes (its seen cache);
    // after that the channels' replay cache still knows the envelope id, until the clock check takes over
    const original = spy.received.find(m => m.topic === GENERAL && Envelope.decode(m.data).id === posted.id) as SignedMessage
    const ids = storedIds()
    const before = target.status().rejected.byReason.replay
    await waitFor('the relayed copy is counted as a replay', async () => {
      if (target.status().rejected.byReason.replay > before) return true
      await relay.relay(target, original)
      return false
    }, 200_000, 5_000)
    expect(target.status().rejected.byReason.replay).toBe(before + 1)
    expect(storedIds()).toEqual(ids)
  }, 240_000)
})
