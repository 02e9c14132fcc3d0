import { TopicValidatorResult } from '@libp2p/gossipsub'
import { TypedEventEmitter } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { RejectionCounter } from '../../counts/rejection-counter.js'
import { refuseWithFrame } from '../../limits/stream-limits.js'
import { MemoryGossip, SyncBatch, SyncRequest } from '../../wire/generated/memory.js'
import { memoryTopic, parseMemoryTopic } from '../../wire/topics.js'
import { MemoryInputError } from '../errors.js'
import { decodeWire, SealedRecordError, toWire } from './codec.js'
import { PacedReader } from './paced-reader.js'
import { checkCarriedVector, checkRemoteRecord } from './validate.js'
import { openPeerStream } from '../../node/peer-stream.js'
import type { NodeLimits } from '../../limits/node-limits.js'
import type { Channels } from '../../channels/channels.js'
import type { CommunityMembership } from '../../communities/access.js'
import type { PeerPenalties } from '../../channels/penalties.js'
import type { Replica, ReplicaSource } from './replica.js'
import type { VectorOutcome, VerifiedRecord } from './validate.js'
import type { RecordsAdded, StoredRecord, SyncedRecord } from '../types.js'
import type { CommunitySealer } from '../../communities/access.js'
import type { MemoryRecordWire } from '../../wire/generated/memory.js'
import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { ComponentLogger, Connection, Libp2pEvents, Logger, PeerId, Startable, Stream, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export const MEMSYNC_PROTOCOL = '/oa/memsync/1.0.0'
export { memoryTopic }


export interface ReplicationComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  pubsub: GossipSub
  channels: Channels
  /** The memory service, where the replica is found while memory runs. */
  memory: ReplicaSource
  communities: CommunityMembership
}

export interface ReplicationInit {
  /** How often a random community peer is asked for what this node lacks (anti-entropy), in ms. */
  syncIntervalMs: number
  /** Shared with gossipsub scoring: invalid records lower the sender's score. */
  penalties?: PeerPenalties
  /** The node's limits: inbound `/oa/memsync/1.0.0` streams are bounded per node and per peer. */
  limits?: NodeLimits
}

/** Why a replicated record or message was refused. */
export const REPLICATION_REJECT_REASONS = ['decode', 'size', 'community', 'origin', 'owner', 'signature', 'record', 'sealed', 'membership'] as const
export type ReplicationRejectReason = typeof REPLICATION_REJECT_REASONS[number]

export interface ReplicationStats {
  rejected: { total: number, byReason: Record<ReplicationRejectReason, number>, byPath: { gossip: number, sync: number } }
  received: { gossip: number, sync: number }
  published: number
  /**
   * Vectors that came with valid records: `used` (made by this node's embedder and
   * signed by the record's origin: stored, the text not embedded again), `otherEmbedder`
   * (another embedder's name or dimension: the text is embedded here), `forged` (a
   * signature missing or not the origin's: dropped, the text is embedded here).
   */
  vectors: { used: number, otherEmbedder: number, forged: number }
}

export interface ReplicationEvents {
  /** A peer announced records stored in a shared (Milvus) collection. */
  'record:notice': CustomEvent<{ community: string, ids: string[], origin: string }>
}

const MAX_GOSSIP_BYTES = 1_048_576
const GOSSIP_CHUNK_BYTES = 256 * 1024
const SYNC_PAGE = 200
/** A sync stream over the limits is answered with a last batch that says why. */
const refuseSync = refuseWithFrame(message => SyncBatch.encode({ records: [], done: true, error: message }))
const SYNC_MAX_RECORDS = 100_000
const SYNC_FRAME_BYTES = 2 * 1_048_576
/** A catch-up frame is sent once its records pass this many bytes (well under SYNC_FRAME_BYTES). */
const SYNC_FRAME_TARGET = 1_048_576
/** The largest stream window the muxer (yamux) grants: what a sender may still send to a paused stream. */
const MUXER_WINDOW = 16 * 1_048_576
/** Unread catch-up bytes past which the stream is paused: more than a frame, so a whole one is always there to read. */
const SYNC_PAUSE_MARK = 2 * SYNC_FRAME_BYTES
const SYNC_TIMEOUT_MS = 60_000
const SYNC_IDLE_MS = 15_000
const SYNC_MAX_MS = 10 * 60_000

/**
 * Replicates a community's memory between the nodes that joined it, with no server:
 * each write is gossiped on `oa/1/<community>/mem` once durable; a node that missed
 * records catches up over `/oa/memsync/1.0.0` by sending its version vector, when it
 * meets a community peer and periodically with a random one. Every record is checked
 * (community, size, agent of its origin, origin signature); invalid ones are counted and
 * stored nowhere. Tombstones travel the same way.
 * With a shared Milvus store only notices travel.
 */
export class Replicator extends TypedEventEmitter<ReplicationEvents> implements Startable {
  private readonly components: ReplicationComponents
  private readonly init: ReplicationInit
  private readonly log: Logger
  private readonly topics = new Set<string>()
  private readonly synced = new Set<string>()
  private readonly syncing = new Map<string, Promise<unknown>>()
  /** Records of a gossip message, verified once by the topic validator, taken when the message is delivered. */
  private readonly verified = new WeakMap<Message, VerifiedRecord[]>()
  private timer?: ReturnType<typeof setInterval>
  private started = false
  private readonly rejections = new RejectionCounter(REPLICATION_REJECT_REASONS, ['gossip', 'sync'])
  private readonly counts: Omit<ReplicationStats, 'rejected'> = {
    received: { gossip: 0, sync: 0 },
    published: 0,
    vectors: { used: 0, otherEmbedder: 0, forged: 0 }
  }

  constructor (components: ReplicationComponents, init: ReplicationInit) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:replication')
  }

  readonly [Symbol.toStringTag] = 'oa:replication'

  isStarted (): boolean {
    return this.started
  }

  /** Replication runs for a store each node keeps (its adapter says so); a shared one (Milvus) only announces. */
  private get replicating (): boolean {
    return this.components.memory.replica?.replicated === true
  }

  async start (): Promise<void> {
    if (!this.components.memory.enabled) return
    await this.components.registrar.handle(MEMSYNC_PROTOCOL, this.init.limits == null ? this.onStream : this.init.limits.streams.guard(MEMSYNC_PROTOCOL, this.onStream, refuseSync), { maxInboundStreams: 16, maxOutboundStreams: 16, runOnLimitedConnection: true })
    this.started = true
  }

  afterStart (): void {
    if (!this.started) return
    this.components.pubsub.addEventListener('message', this.onMessage)
    this.components.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.components.events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.memory.addEventListener('record:added', this.onRecordsAdded)
    this.components.channels.addEventListener('membership', this.onMembership)
    this.components.communities.addEventListener('rekeyed', this.onRekeyed)
    this.followCommunities()
    this.timer = setInterval(() => { this.antiEntropy() }, this.init.syncIntervalMs)
    this.timer.unref()
  }

  beforeStop (): void {
    if (!this.started) return
    clearInterval(this.timer)
    this.components.pubsub.removeEventListener('message', this.onMessage)
    this.components.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.memory.removeEventListener('record:added', this.onRecordsAdded)
    this.components.channels.removeEventListener('membership', this.onMembership)
    this.components.communities.removeEventListener('rekeyed', this.onRekeyed)
    for (const topic of this.topics) {
      this.components.pubsub.unsubscribe(topic)
      this.components.pubsub.topicValidators.delete(topic)
    }
    this.topics.clear()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.components.registrar.unhandle(MEMSYNC_PROTOCOL)
  }

  /** Counts of what was received, published and rejected. */
  stats (): ReplicationStats {
    return { ...structuredClone(this.counts), rejected: this.rejections.snapshot() }
  }

  /** Subscribes to the memory topic of every joined community, and only those. */
  /** The memory topic of a joined community: private ones are named by a label only members derive. */
  private topicOf (community: string): string {
    return memoryTopic(this.components.communities.wireName(community))
  }

  private communityOf (topic: string): string | undefined {
    const wire = parseMemoryTopic(topic)
    return wire == null ? undefined : this.components.communities.nameOf(wire)
  }

  private followCommunities (): void {
    const joined = new Set(this.components.channels.communities().map(c => this.topicOf(c)))
    for (const topic of [...this.topics]) {
      if (joined.has(topic)) continue
      this.components.pubsub.unsubscribe(topic)
      this.components.pubsub.topicValidators.delete(topic)
      this.topics.delete(topic)
    }
    for (const topic of joined) {
      if (this.topics.has(topic)) continue
      this.topics.add(topic)
      this.components.pubsub.topicValidators.set(topic, this.validator)
      this.components.pubsub.subscribe(topic)
      for (const peer of this.components.pubsub.getSubscribers(topic).slice(0, 2)) this.syncOnce(peer, this.communityOf(topic) ?? '')
    }
  }

  private reject (reason: ReplicationRejectReason, path: 'gossip' | 'sync', peer: string, message: string): void {
    this.rejections.add(reason, path)
    // a sync request for memory the asker may not read is refused and counted, not
    // punished (as history requests: an honest peer meets it; stream limits bound it)
    if (!(path === 'sync' && reason === 'membership')) this.init.penalties?.penalize(peer)
    this.log('rejected %s memory from %s: %s (%s)', path, peer, reason, message)
  }

  /**
   * Checks a wire record and the vector it carries; a forged vector is dropped and
   * counted (and its sender penalized in catch-up, where many records are checked at
   * once: their signatures on the thread pool).
   */
  private async checkWire (w: MemoryRecordWire, community: string, sealer: CommunitySealer | undefined, replica: Replica, from: string, path: 'gossip' | 'sync'): Promise<VerifiedRecord> {
    const { record, vector } = decodeWire(w, sealer)
    const on = { pool: path === 'sync' }
    const checked = await checkRemoteRecord(record, community, replica.maxTextBytes, on)
    const penalize = path === 'sync'
    const { record: out, outcome } = await checkCarriedVector(checked, vector, replica.embedder, on)
    this.countVector(outcome, from, checked, penalize)
    return out
  }

  private countVector (outcome: VectorOutcome, from: string, r: StoredRecord, penalize: boolean): void {
    if (outcome === 'used') this.counts.vectors.used++
    else if (outcome === 'other_embedder') this.counts.vectors.otherEmbedder++
    else if (outcome === 'forged') {
      this.counts.vectors.forged++
      // in gossip the vector was signed by the publisher, the origin: a forwarder is not to blame
      if (penalize) this.init.penalties?.penalize(from)
      this.log('dropped the vector of record %s from %s: not signed by its origin %s', r.id.slice(0, 64), from, r.origin.slice(0, 64))
    }
  }

  private readonly validator = async (from: PeerId, message: Message): Promise<TopicValidatorResult> => {
    const community = this.communityOf(message.topic) ?? ''
    const fail = (reason: ReplicationRejectReason, why: string): TopicValidatorResult => {
      this.reject(reason, 'gossip', from.toString(), why)
      return TopicValidatorResult.Reject
    }
    if (message.data.byteLength > MAX_GOSSIP_BYTES) return fail('size', `${message.data.byteLength} bytes`)
    let gossip: MemoryGossip
    try {
      gossip = MemoryGossip.decode(message.data)
    } catch (err) {
      return fail('decode', (err as Error).message)
    }
    if (gossip.records.length === 0) return fail('decode', 'a memory message with no records')
    const publisher = message.type === 'signed' ? message.from.toString() : ''
    // a private community's records name it by its wire name only
    const named = this.components.communities.wireName(community)
    const replica = this.components.memory.replica
    const checked: VerifiedRecord[] = []
    for (const w of gossip.records) {
      if (w.community !== named) return fail('community', `record for "${w.community.slice(0, 64)}" on ${message.topic}`)
      // a node gossips only its own writes; others' records travel by sync
      if (w.origin !== publisher) return fail('origin', `record of ${w.origin.slice(0, 64)} published by ${publisher}`)
      if (!this.components.communities.mayWrite(community, w.origin)) return fail('membership', `${w.origin.slice(0, 64)} may not write to ${community}`)
      if (gossip.notice) continue
      if (!this.components.communities.hasEpoch(community, w.epoch)) {
        // sealed with a key this node has not received yet: fetch it; catch-up brings the record
        this.components.communities.refresh(community, publisher)
        return TopicValidatorResult.Ignore
      }
      if (replica == null) return TopicValidatorResult.Ignore
      try {
        checked.push(await this.checkWire(w, community, this.components.communities.sealer(community), replica, from.toString(), 'gossip'))
      } catch (err) {
        return fail(reasonOfError(err), (err as Error).message)
      }
    }
    if (!gossip.notice) this.verified.set(message, checked)
    return TopicValidatorResult.Accept
  }

  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const community = this.communityOf(evt.detail.topic)
    if (community == null || !this.topics.has(evt.detail.topic)) return
    const gossip = MemoryGossip.decode(evt.detail.data)
    if (gossip.notice) {
      const origin = gossip.records[0]?.origin ?? ''
      this.safeDispatchEvent('record:notice', { detail: { community, ids: gossip.records.map(r => r.id), origin } })
      return
    }
    const records = this.verified.get(evt.detail)
    this.verified.delete(evt.detail)
    const replica = this.components.memory.replica
    if (!this.replicating || replica == null || records == null) return
    replica.ingest(community, records).then((fresh) => {
      this.counts.received.gossip += fresh.length
    }, (err: unknown) => {
      this.log('storing gossiped records failed: %s', (err as Error).message)
    })
  }

  private readonly onRecordsAdded = (evt: CustomEvent<RecordsAdded>): void => {
    const { community, records, local, vectors } = evt.detail
    if (!local || !this.topics.has(this.topicOf(community))) return
    void this.publish(community, records, vectors).catch((err: unknown) => {
      // gossip is best effort: anti-entropy repairs what it misses
      this.log('publishing records failed: %s', (err as Error).message)
    })
  }

  private async publish (community: string, records: StoredRecord[], vectors?: ReadonlyMap<number, number[]>): Promise<void> {
    const notice = !this.replicating
    const sealer = this.components.communities.sealer(community)
    const replica = this.components.memory.replica
    let batch: MemoryRecordWire[] = []
    let bytes = 0
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      await this.components.pubsub.publish(this.topicOf(community), MemoryGossip.encode({ records: batch, notice }))
      this.counts.published += batch.length
      batch = []
      bytes = 0
    }
    for (const r of records) {
      // the origin signs the vector it stored: receivers with the same embedder keep it
      const vector = notice || replica == null ? undefined : await replica.carriedVector(r, vectors?.get(r.seq))
      const wire = notice ? { ...toWire(r), community: this.components.communities.wireName(community), text: '', metadata: '{}', signature: new Uint8Array(0) } : toWire(r, sealer, vector)
      const size = wireSize(wire)
      if (bytes + size > GOSSIP_CHUNK_BYTES) await flush()
      batch.push(wire)
      bytes += size
    }
    await flush()
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      const community = this.communityOf(topic)
      if (subscribe && community != null && this.topics.has(topic)) this.syncOnce(evt.detail.peerId, community)
    }
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const prefix = `${evt.detail.toString()}|`
    for (const key of this.synced) if (key.startsWith(prefix)) this.synced.delete(key)
  }

  private readonly onMembership = (): void => {
    this.followCommunities()
  }

  /** A newer key arrived: catch up on what could not be opened before. */
  private readonly onRekeyed = (evt: CustomEvent<{ community: string }>): void => {
    const { community } = evt.detail
    for (const peer of this.components.pubsub.getSubscribers(this.topicOf(community)).slice(0, 2)) {
      void this.sync(peer, community).catch((err: unknown) => { this.log('sync after a new key failed: %s', (err as Error).message) })
    }
  }

  /** Anti-entropy: ask one random community peer per community for what we lack. */
  private antiEntropy (): void {
    this.followCommunities()
    for (const topic of this.topics) {
      const peers = this.components.pubsub.getSubscribers(topic)
      const peer = peers[Math.floor(Math.random() * peers.length)]
      const community = this.communityOf(topic)
      if (peer != null && community != null) void this.sync(peer, community).catch((err: unknown) => { this.log('anti-entropy sync failed: %s', (err as Error).message) })
    }
  }

  /** Syncs with a peer the first time it is seen in a community (per connection). */
  private syncOnce (peer: PeerId, community: string): void {
    if (!this.replicating) return
    const key = `${peer.toString()}|${community}`
    if (this.synced.has(key)) return
    this.synced.add(key)
    this.sync(peer, community).catch((err: unknown) => {
      this.synced.delete(key)
      this.log('sync of %s with %p failed: %s', community, peer, (err as Error).message)
    })
  }

  /**
   * Asks `peer` for every record of `community` this node lacks, by version vector.
   * Returns how many new records were stored.
   *
   * @example
   * ```ts
   * const added = await node.libp2p.services.replication.sync(peerId, 'devsupport')
   * ```
   */
  async sync (peer: PeerId, community: string, signal?: AbortSignal): Promise<number> {
    // one sync per community at a time: peers met together would otherwise each send
    // the same missing records; run in turn, the later ones find little left to send
    const previous = this.syncing.get(community) ?? Promise.resolve()
    const run = previous.catch(() => {}).then(async () => this.syncNow(peer, community, signal))
    this.syncing.set(community, run.catch(() => {}))
    return run
  }

  private async syncNow (peer: PeerId, community: string, signal?: AbortSignal): Promise<number> {
    if (!this.replicating) return 0
    // a private community's records come only from its members
    if (!this.components.communities.mayRead(community, peer.toString())) return 0
    const sealer = this.components.communities.sealer(community)
    // a large catch-up may take minutes; a stalled peer is given up after SYNC_IDLE_MS
    // without a frame, so it never holds the community's sync queue for long
    const overall = AbortSignal.any([AbortSignal.timeout(SYNC_MAX_MS), ...(signal == null ? [] : [signal])])
    const idle = (): AbortSignal => AbortSignal.any([overall, AbortSignal.timeout(SYNC_IDLE_MS)])
    const abort = overall
    const replica = this.components.memory.replica
    if (replica == null) return 0
    const vv = await replica.versionOf(community)
    const stream = await openPeerStream(this.components.connectionManager, peer, MEMSYNC_PROTOCOL, { signal: idle() })
    // frames are taken as fast as they are checked and stored, and the sender is held
    // back to that pace: what waits unread is bounded by the pause mark and one window
    stream.maxReadBufferLength = MUXER_WINDOW + SYNC_FRAME_BYTES
    const lp = lpStream(stream, { maxDataLength: SYNC_FRAME_BYTES, maxBufferSize: SYNC_PAUSE_MARK + MUXER_WINDOW + SYNC_FRAME_BYTES })
    const reader = new PacedReader(stream, lp, SYNC_PAUSE_MARK)
    let added = 0
    // a frame is checked while the one before it is stored: signature checks run on
    // the thread pool, the store's commit on the event loop; frames are stored in order
    let storing: Promise<void> = Promise.resolve()
    try {
      await lp.write(SyncRequest.encode({ community, have: vv.entries().map(e => ({ origin: e.origin, seq: BigInt(e.seq) })) }), { signal: abort })
      for (;;) {
        const batch = SyncBatch.decode(await reader.read({ signal: idle() }))
        if (batch.error !== '') throw new Error(`peer refused sync: ${batch.error}`)
        const valid = await this.checkFrame(batch.records, community, sealer, replica, peer)
        await storing
        if (valid.length > 0) {
          storing = replica.ingest(community, valid).then((fresh) => {
            added += fresh.length
            this.counts.received.sync += fresh.length
          })
          // a failed store is seen by the await above or below; until then it is not unhandled
          storing.catch(() => {})
        }
        if (batch.done) break
      }
      await storing
      await stream.close({ signal: abort }).catch(() => {})
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
    if (added > 0) this.log('synced %d records of %s from %p', added, community, peer)
    return added
  }

  /**
   * The records of a catch-up frame that pass every check, all checked at once; the
   * others are counted and dropped (a record sealed with a key this node lacks is left
   * for a later sync, once the key is fetched).
   */
  private async checkFrame (records: MemoryRecordWire[], community: string, sealer: CommunitySealer | undefined, replica: Replica, peer: PeerId): Promise<VerifiedRecord[]> {
    const from = peer.toString()
    const checked = await Promise.all(records.map(async (w): Promise<VerifiedRecord | undefined> => {
      if (!this.components.communities.hasEpoch(community, w.epoch)) {
        // the peer seals with a newer key than this node holds: fetch it; the next sync brings the record
        this.components.communities.refresh(community, from)
        return undefined
      }
      try {
        const record = await this.checkWire(w, community, sealer, replica, from, 'sync')
        if (!this.components.communities.mayWrite(community, record.origin, record.createdAt)) throw new MembershipError(`${record.origin.slice(0, 64)} was not a writer of ${community} when it wrote ${record.id.slice(0, 64)}`)
        return record
      } catch (err) {
        this.reject(reasonOfError(err, 'decode'), 'sync', from, (err as Error).message)
        return undefined
      }
    }))
    return checked.filter((r): r is VerifiedRecord => r != null)
  }

  /** A page of records as catch-up frames, each under SYNC_FRAME_TARGET bytes; vectors go along where this node may send them. */
  private async syncFrames (page: SyncedRecord[], sealer: CommunitySealer | undefined, replica: Replica): Promise<MemoryRecordWire[][]> {
    const frames: MemoryRecordWire[][] = [[]]
    let bytes = 0
    for (const r of page) {
      const wire = toWire(r, sealer, await replica.carriedVector(r, r.vector))
      const size = wireSize(wire)
      if (bytes + size > SYNC_FRAME_TARGET && (frames.at(-1)?.length ?? 0) > 0) {
        frames.push([])
        bytes = 0
      }
      frames.at(-1)?.push(wire)
      bytes += size
    }
    return frames
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: SYNC_FRAME_BYTES })
    try {
      let request: SyncRequest
      try {
        request = SyncRequest.decode(await lp.read({ signal }))
      } catch (err) {
        this.reject('decode', 'sync', connection.remotePeer.toString(), (err as Error).message)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        return
      }
      const asker = connection.remotePeer.toString()
      const joined = this.components.channels.communities().includes(request.community)
      if (!joined || !this.replicating || !this.components.communities.mayRead(request.community, asker)) {
        if (joined && this.replicating) this.reject('membership', 'sync', asker, `${asker} asked for the memory of ${request.community} but is not a member`)
        await lp.write(SyncBatch.encode({ records: [], done: true, error: 'not a member of that community' }), { signal })
        await stream.close({ signal }).catch(() => {})
        return
      }
      const have = new Map(request.have.map(e => [e.origin, Number(e.seq)]))
      const sealer = this.components.communities.sealer(request.community)
      const replica = this.components.memory.replica
      if (replica == null) throw new Error('memory stopped')
      const vv = await replica.versionOf(request.community)
      let sent = 0
      for (const [origin, mine] of Object.entries(vv.summary())) {
        let after = have.get(origin) ?? 0
        if (mine.highestSeq <= after) continue
        const load = async (from: number): Promise<{ page: SyncedRecord[], frames: MemoryRecordWire[][] }> => {
          const page = await replica.recordsAfter(request.community, origin, from, SYNC_PAGE)
          return { page, frames: await this.syncFrames(page, sealer, replica) }
        }
        let next: Promise<{ page: SyncedRecord[], frames: MemoryRecordWire[][] }> | undefined = load(after)
        while (next != null && sent < SYNC_MAX_RECORDS) {
          const { page, frames }: { page: SyncedRecord[], frames: MemoryRecordWire[][] } = await next
          if (page.length === 0) break
          sent += page.length
          after = page.at(-1)?.seq ?? after
          // the next page is made ready while this one travels; awaiting each write is the
          // backpressure, so at most two pages are held
          next = page.length < SYNC_PAGE || sent >= SYNC_MAX_RECORDS ? undefined : load(after)
          next?.catch(() => {})
          for (const frame of frames) await lp.write(SyncBatch.encode({ records: frame, done: false, error: '' }), { signal })
        }
      }
      await lp.write(SyncBatch.encode({ records: [], done: true, error: '' }), { signal })
      await stream.close({ signal }).catch(() => {})
    } catch (err) {
      this.log('memsync stream from %p failed: %s', connection.remotePeer, (err as Error).message)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}

/** About how many bytes a wire record takes encoded. */
function wireSize (w: MemoryRecordWire): number {
  return Buffer.byteLength(w.text) + Buffer.byteLength(w.metadata) + w.sealed.byteLength + w.vector.byteLength + 512
}

function reasonOf (code: string): ReplicationRejectReason {
  return code === 'community' || code === 'signature' || code === 'size' || code === 'owner' ? code : 'record'
}

/** The writer of a record was not a member with write rights. */
class MembershipError extends Error {}

function reasonOfError (err: unknown, fallback: ReplicationRejectReason = 'record'): ReplicationRejectReason {
  if (err instanceof MemoryInputError) return reasonOf(err.code)
  if (err instanceof SealedRecordError) return 'sealed'
  if (err instanceof MembershipError) return 'membership'
  return fallback
}
