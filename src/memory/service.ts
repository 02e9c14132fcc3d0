import { join } from 'node:path'
import { TypedEventEmitter } from '@libp2p/interface'
import { EndpointHealth } from '../endpoints/health.js'
import { Capture } from './capture.js'
import { LocalEmbedder } from './embedders/local.js'
import { OpenAIEmbedder } from './embedders/openai.js'
import { MemoryInputError, MemoryUnavailableError } from './errors.js'
import { checkFilter } from './filter.js'
import { GroupCommit } from './group-commit.js'
import { addCover, agentOfOrigin, checkInput, DEFAULT_KIND, makeRecord, makeTombstone, MAX_COVER_RANGES } from './record.js'
import { SeqLedger } from './seq-ledger.js'
import { VersionVector } from './replication/version-vector.js'
import { checkRemoteRecord } from './replication/validate.js'
import { EmbeddedStore } from './stores/embedded.js'
import { ProcessStore } from './stores/process/process-store.js'
import { MilvusStore } from './stores/milvus/store.js'
import type { CaptureStatus } from './capture.js'
import type { EndpointDown, EndpointStatus, EndpointUp } from '../endpoints/health.js'
import type { Embedder } from './embedders/types.js'
import type { RememberInput } from './record.js'
import type { CommunityStats, MemoryRecord, MemoryStore, RecordsAdded, SearchHit, SearchMode, StoredRecord } from './types.js'
import type { StoreProcessInfo } from './stores/process/process-store.js'
import type { Channels } from '../channels/channels.js'
import type { CommunityAccess } from '../communities/access.js'
import type { ObservedEvent } from '../channels/context.js'
import type { NodeConfig } from '../config/schema.js'
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'

export type MemorySettings = NodeConfig['memory']

export interface MemoryComponents {
  peerId: PeerId
  privateKey: PrivateKey
  logger: ComponentLogger
  channels: Channels
  communities: CommunityAccess
}

export interface MemoryInit {
  dataDir: string
  /** Communities joined at start (their version vectors are loaded at start). */
  communities: string[]
  settings: MemorySettings
  llm: NodeConfig['llm']
  /** Opens the store; default: from settings (embedded LanceDB, or Milvus). */
  openStore?: (embedder: Embedder) => Promise<MemoryStore>
}

export interface RecallOptions {
  /** `hybrid` (default), `vector` or `text`. */
  mode?: SearchMode
  /** Most hits, 1 to 100 (default 5). */
  k?: number
  /** Only these kinds. */
  kinds?: string[]
  /** None of these kinds (for example the captured `channel_message` and `direct_exchange`). */
  excludeKinds?: string[]
  agent?: string
  since?: number
  until?: number
  /**
   * A relevance floor: hits whose cosine similarity to the query is below it are left
   * out (also in text and hybrid mode, where each hit's similarity is worked out).
   */
  minSimilarity?: number
}

export type { StoredRecord, RecordsAdded }

export interface MemoryEvents {
  /** Records stored, after they are durable: this node's writes and those received from peers. */
  'record:added': CustomEvent<RecordsAdded>
  /** Milvus or the embeddings endpoint stopped answering: once per outage, however many calls fail. */
  'endpoint:down': CustomEvent<EndpointDown>
  /** It answers again. */
  'endpoint:up': CustomEvent<EndpointUp>
}

/** What an outage of the store or the embedder means for the node's users. */
const OUTAGE_CONSEQUENCE = 'memory calls fail (API: 503 endpoint_unavailable) until it is back'

/** What `rememberMany` did with each input. */
export interface RememberResult {
  /** The records of the accepted inputs: written now, or held already with the same content. */
  records: StoredRecord[]
  rejected: Array<{ index: number, error: string, code?: string }>
  /** Inputs written as new records. */
  added: number
  /** Inputs that wrote a new version of one of this node's records. */
  updated: number
  /** Inputs whose record this node already held with the same content: nothing written. */
  unchanged: number
}

/** Local writes refused because they named what belongs to another node, per reason. */
export interface OwnershipRefusals {
  /** An upsert or delete of a record id another origin holds. */
  not_owner: number
  /** An `agent` that is not one of this node's (`<name>@<this peer id>`). */
  bad_agent: number
}

const MAX_K = 100

/**
 * The memory service: the node's store and embedder, `remember` and `recall` for
 * agents and the API, and automatic capture of what happens in the communities the node
 * joined. A node reads and writes only those communities; every query is filtered by
 * community.
 */
export class Memory extends TypedEventEmitter<MemoryEvents> implements Startable {
  private readonly components: MemoryComponents
  private readonly init: MemoryInit
  private readonly log: Logger
  private store?: MemoryStore
  private embedder?: Embedder
  private ledger?: SeqLedger
  private readonly refusals: OwnershipRefusals = { not_owner: 0, bad_agent: 0 }
  /** This node's writes, group-committed with gap-free seqs; resumes its seq from the store and the ledger after a restart. */
  private writes?: GroupCommit
  private capture?: Capture
  private readonly versions = new Map<string, VersionVector>()
  private started = false
  /** Milvus and the embeddings endpoint, when the node uses them. */
  private readonly health: EndpointHealth[] = []

  constructor (components: MemoryComponents, init: MemoryInit) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:memory')
  }

  readonly [Symbol.toStringTag] = 'oa:memory'

  /** False when `memory.enabled` is off. */
  get enabled (): boolean {
    return this.init.settings.enabled
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (!this.init.settings.enabled) return
    const dir = join(this.init.dataDir, 'memory')
    // a start after a stop watches the endpoints afresh
    this.health.length = 0
    const embedder = await this.makeEmbedder()
    if (this.init.openStore != null) this.store = await this.init.openStore(embedder)
    else if (this.init.settings.store === 'milvus') this.store = await MilvusStore.open(this.init.settings.milvus, embedder, { health: this.watch('milvus', this.init.settings.milvus.address ?? '') })
    else this.store = await this.openEmbedded(dir, embedder)
    this.embedder = embedder
    const self = this.components.peerId.toString()
    // the store may have lost or replaced a record this node wrote: the ledger knows every seq handed out
    const ledger = await SeqLedger.open(join(dir, 'seq.json'))
    this.ledger = ledger
    this.writes = new GroupCommit({
      store: this.store,
      self,
      versionOf: community => this.versions.get(community),
      reserve: async last => ledger.reserve(last),
      // an earlier write that failed was committed after all: its caller saw an error, but peers get the records
      onLate: (records) => {
        for (const community of new Set(records.map(r => r.community))) {
          this.safeDispatchEvent('record:added', { detail: { community, records: records.filter(r => r.community === community), local: true } })
        }
      },
      log: this.log
    })
    this.capture = new Capture({
      postLog: () => this.components.channels.postLog(),
      self,
      settings: this.init.settings,
      target: {
        communities: () => this.components.channels.communities(),
        rememberMany: async (community, inputs) => this.rememberMany(community, inputs),
        held: async (community, ids) => (await this.get(community, ids, { origin: self })).map(r => r.id)
      },
      log: this.log
    })
    this.writes.observe(ledger.reserved)
    this.started = true
    for (const community of this.init.communities) await this.versionOf(community)
  }

  private async openEmbedded (dir: string, embedder: Embedder): Promise<MemoryStore> {
    const { settings } = this.init
    const init = { dir, embedder, writeWindowMs: settings.writeWindowMs, commitIntervalMs: settings.commitIntervalMs, vectorIndexThreshold: settings.vectorIndexThreshold }
    // in its own process, the store's native memory (which LanceDB grows with every commit) is given back when the process is replaced
    if (settings.storeProcess) return ProcessStore.open({ ...init, recycleRssMiB: settings.storeRecycleRssMiB })
    return EmbeddedStore.open(init)
  }

  /** The store process (pid, memory, replacements), when the embedded store runs in one. */
  storeProcess (): StoreProcessInfo | undefined {
    return this.store instanceof ProcessStore ? this.store.info() : undefined
  }

  /** The replica's version vector of a community, built from the store the first time. */
  async versionOf (community: string): Promise<VersionVector> {
    let vv = this.versions.get(community)
    if (vv != null) return vv
    vv = new VersionVector()
    const { store } = this.ready()
    const self = this.components.peerId.toString()
    for (const { origin, seq, covers } of await store.versions(community)) {
      vv.add(origin, seq)
      for (const [first, last] of covers ?? []) vv.cover(origin, first, last)
      if (origin === self) this.writes?.observe(seq)
    }
    this.versions.set(community, vv)
    return vv
  }

  afterStart (): void {
    if (!this.started) return
    this.components.channels.addEventListener('event', this.onEvent)
    this.components.channels.addEventListener('membership', this.onMembership)
    this.capture?.start()
  }

  /** Finishes the capture batch in flight while the channel history is still open. */
  async beforeStop (): Promise<void> {
    this.components.channels.removeEventListener('event', this.onEvent)
    this.components.channels.removeEventListener('membership', this.onMembership)
    await this.capture?.stop()
  }

  async stop (): Promise<void> {
    this.started = false
    await this.writes?.idle()
    // a clean stop hands out no seq it skipped; a write whose outcome is unknown may still hold its seqs
    await this.ledger?.settle(this.writes?.handedOut ?? 0).catch((err: unknown) => { this.log('%s', (err as Error).message) })
    this.ledger = undefined
    await this.store?.close()
    this.store = undefined
    this.writes = undefined
  }

  private async makeEmbedder (): Promise<Embedder> {
    if (this.init.settings.embedder === 'local') return new LocalEmbedder()
    const { llm } = this.init
    const init = {
      baseUrl: llm.baseUrl,
      apiKey: llm.apiKey,
      model: this.init.settings.embeddingModel,
      dimensions: this.init.settings.embeddingDimensions,
      timeoutMs: llm.timeoutMs,
      maxRetries: llm.maxRetries
    }
    const embedder = new OpenAIEmbedder({ ...init, health: this.watch('embedder', llm.baseUrl ?? 'https://api.openai.com/v1') })
    // the endpoint must answer at start: a node whose embedder cannot be reached does not start
    await embedder.probe(llm.connectTimeoutMs)
    return embedder
  }

  /** The health of an endpoint the node uses, whose outages become this service's events. */
  private watch (endpoint: 'milvus' | 'embedder', address: string): EndpointHealth {
    const health = new EndpointHealth(endpoint, address, OUTAGE_CONSEQUENCE)
    health.addEventListener('down', (evt) => { this.safeDispatchEvent('endpoint:down', { detail: evt.detail }) })
    health.addEventListener('up', (evt) => { this.safeDispatchEvent('endpoint:up', { detail: evt.detail }) })
    this.health.push(health)
    return health
  }

  /**
   * Milvus and the embeddings endpoint, when the node uses them: up or down, outages and
   * failed calls since the start.
   *
   * @example
   * ```ts
   * node.libp2p.services.memory.endpoints()
   * // [{ endpoint: 'milvus', address: '127.0.0.1:19530', state: 'down', outages: 1, failures: 3, downSince: 1767225600000, reason: 'connection refused' }]
   * ```
   */
  endpoints (): EndpointStatus[] {
    return this.health.map(h => h.status())
  }

  private ready (): { store: MemoryStore, embedder: Embedder, writes: GroupCommit } {
    if (!this.init.settings.enabled) throw new MemoryUnavailableError('memory service not configured (memory.enabled is false)')
    if (this.store == null || this.embedder == null || this.writes == null) throw new MemoryUnavailableError('the memory service is not running')
    return { store: this.store, embedder: this.embedder, writes: this.writes }
  }

  private member (community: string): void {
    if (!this.components.channels.communities().includes(community)) {
      throw new MemoryInputError('not_member', `this node has not joined community "${community}" (joined: ${this.components.channels.communities().join(', ') || 'none'})`)
    }
  }

  /** The store kind, embedder and dimension. */
  describe (): { store: string, embedder: string, dimension: number } {
    const { store, embedder } = this.ready()
    return { store: store.kind, embedder: embedder.name, dimension: embedder.dimension }
  }

  /**
   * Stores one thing the community should remember; resolves once it is durable.
   *
   * @example
   * ```ts
   * await node.libp2p.services.memory.remember('devsupport', { text: 'Set ef >= k; raise ef for recall', kind: 'expert_knowledge' })
   * ```
   */
  async remember (community: string, input: RememberInput): Promise<StoredRecord> {
    const result = await this.rememberMany(community, [input])
    const first = result.records[0]
    if (first == null) throw new MemoryInputError(result.rejected[0]?.code ?? 'bad_record', result.rejected[0]?.error ?? 'the record was rejected')
    return first
  }

  /**
   * Stores many records in one batch; resolves once they are durable. Invalid inputs
   * are rejected one by one (with their index) and the rest are written, whole or not
   * at all; nothing of a rejected input is stored. Writes that arrive while another is
   * being committed share the next commit. An input whose `id` names one of this node's
   * records writes a new version of it (the same content again changes nothing); one
   * naming another node's record is refused (`not_owner`), as is an `agent` of another
   * node (`bad_agent`).
   *
   * @example
   * ```ts
   * const { records, rejected } = await memory.rememberMany('devsupport', [{ text: 'Pin numpy below 2' }, { id: 'faq-1', text: '' }])
   * // records: one stored record; rejected: [{ index: 1, code: 'bad_text', error: 'the text is empty' }]
   * ```
   */
  async rememberMany (community: string, inputs: RememberInput[]): Promise<RememberResult> {
    const { store, embedder, writes } = this.ready()
    this.member(community)
    if (!this.components.communities.mayWrite(community, this.components.peerId.toString())) throw new MemoryInputError('read_only', `this node may read ${community} but not write to its memory`)
    const self = this.components.peerId.toString()
    const rejected: RememberResult['rejected'] = []
    const valid: Array<{ index: number, input: RememberInput }> = []
    inputs.forEach((input, index) => {
      try {
        checkInput(input, this.init.settings.maxTextBytes)
        if (input.agent != null && !agentOfOrigin(input.agent, self)) {
          this.refusals.bad_agent++
          throw new MemoryInputError('bad_agent', `agent "${input.agent}" is not an agent of this node: it must end in @${self}`)
        }
        valid.push({ index, input })
      } catch (err) {
        rejected.push({ index, error: (err as Error).message, ...(err instanceof MemoryInputError ? { code: err.code } : {}) })
      }
    })
    if (valid.length === 0) return { records: [], rejected, added: 0, updated: 0, unchanged: 0 }
    const vectors = await embedder.embed(valid.map(v => v.input.text))
    // loaded before the write is queued: the commit marks the records in it
    const vv = await this.versionOf(community)
    const { kept, written, updated } = await writes.write({
      plan: async ({ next, pending }) => {
        const named = valid.flatMap(v => v.input.id == null ? [] : [v.input.id])
        const held = named.length === 0 ? [] : await store.get([...new Set(named)], [community])
        const mine = new Map(held.filter(r => r.origin === self).map(r => [r.id, r]))
        // a version built earlier in this batch is newer than the store's
        for (const id of named) {
          const p = pending.get(`${community}|${id}`)
          if (p != null) mine.set(id, p)
        }
        const others = new Map(held.filter(r => r.origin !== self && r.deleted !== true).map(r => [r.id, r]))
        const kept: StoredRecord[] = []
        const plan: Array<{ input: RememberInput, vector: number[], previous?: StoredRecord }> = []
        for (const [i, { index, input }] of valid.entries()) {
          const previous = input.id == null ? undefined : mine.get(input.id)
          const owner = input.id == null ? undefined : others.get(input.id)
          if (owner != null && previous == null) {
            this.refusals.not_owner++
            rejected.push({ index, code: 'not_owner', error: `record ${input.id ?? ''} in ${community} belongs to ${owner.origin}: only its origin can write it` })
            continue
          }
          if (previous != null && previous.deleted !== true && sameContent(previous, input, self)) {
            kept.push(previous)
            continue
          }
          plan.push({ input, vector: vectors[i] ?? [], previous })
        }
        const records: MemoryRecord[] = []
        // the first record accounts for the seqs this node used since its last record here, so replicas see no gap
        const highest = highestOwn(vv, community, self, pending)
        let covers: Array<[number, number]> = plan.length > 0 && highest + 1 <= next - 1 ? [[highest + 1, next - 1]] : []
        const batch = new Map<string, StoredRecord>()
        for (const [i, { input, vector, previous }] of plan.entries()) {
          const before = (input.id == null ? undefined : batch.get(input.id)) ?? previous
          if (before != null) covers = addCover(covers, before.seq, before.seq)
          for (const range of before?.covers ?? []) covers = addCover(covers, range[0], range[1])
          if (covers.length > MAX_COVER_RANGES) throw new MemoryInputError('too_many_versions', `record ${input.id ?? ''} has too many versions; write it under a new id`)
          const base = await makeRecord(input, community, next + i, this.components.privateKey, { covers })
          covers = []
          batch.set(base.id, base)
          records.push({ ...base, vector })
        }
        const updated = plan.filter(p => p.previous != null && p.previous.deleted !== true).length
        return { records, result: (stored: StoredRecord[]) => ({ kept, written: stored, updated }) }
      }
    })
    if (written.length > 0) this.safeDispatchEvent('record:added', { detail: { community, records: written, local: true } })
    return { records: [...kept, ...written], rejected: rejected.sort((a, b) => a.index - b.index), added: written.length - updated, updated, unchanged: kept.length }
  }

  /**
   * Stores records written by other nodes (gossip, sync): each is checked (community,
   * size, agent of its origin, origin signature), records already held are skipped, the
   * rest are embedded with this node's embedder and upserted; a version replaces the one
   * held only if its seq is higher, and a tombstone is kept (so a deleted record stays
   * deleted). Returns the new ones; throws MemoryInputError naming the first invalid
   * record, storing none of the batch.
   */
  async ingest (community: string, records: StoredRecord[]): Promise<StoredRecord[]> {
    const { store, embedder } = this.ready()
    this.member(community)
    for (const r of records) await checkRemoteRecord(r, community, this.init.settings.maxTextBytes)
    const vv = await this.versionOf(community)
    const fresh = records.filter(r => !vv.has(r.origin, r.seq))
    for (const r of records) vv.saw(r.origin, r.seq)
    if (fresh.length === 0) return []
    const live = fresh.filter(r => r.deleted !== true)
    const vectors = live.length === 0 ? [] : await embedder.embed(live.map(r => r.text))
    const byRecord = new Map(live.map((r, i) => [r, vectors[i] ?? []]))
    await store.upsert(fresh.map(r => ({ ...r, vector: byRecord.get(r) ?? this.tombstoneVector(store) })))
    for (const r of fresh) {
      vv.add(r.origin, r.seq)
      for (const [a, b] of r.covers ?? []) vv.cover(r.origin, a, b)
    }
    this.safeDispatchEvent('record:added', { detail: { community, records: fresh, local: false } })
    return fresh
  }

  /** Records of one origin after a seq, for peers catching up. */
  async recordsAfter (community: string, origin: string, afterSeq: number, limit: number): Promise<StoredRecord[]> {
    this.member(community)
    return this.ready().store.afterSeq(community, origin, afterSeq, limit)
  }

  /** Longest record text accepted, in bytes. */
  get maxTextBytes (): number {
    return this.init.settings.maxTextBytes
  }

  /** The store kind: `milvus` stores are shared, so they are not replicated. */
  get storeKind (): string | undefined {
    return this.store?.kind
  }

  /**
   * Searches a community's memory by meaning (`vector`), by words (`text`, BM25), or both
   * (`hybrid`, the default). Each hit says what its score is (`scoreKind`); hybrid hits
   * also carry their cosine `similarity` to the query (worked out for the hits the vector
   * search did not return), which is what `minSimilarity` compares with.
   *
   * @example
   * ```ts
   * const hits = await memory.recall('devsupport', 'how do I get better recall from HNSW?', { k: 5, excludeKinds: ['channel_message'], minSimilarity: 0.2 })
   * for (const h of hits) console.log(h.scoreKind, h.score, h.similarity, h.record.text)
   * ```
   */
  async recall (communities: string | string[], query: string, options: RecallOptions = {}): Promise<SearchHit[]> {
    const { store, embedder } = this.ready()
    const list = Array.isArray(communities) ? communities : [communities]
    for (const c of list) this.member(c)
    if (query.trim() === '') throw new MemoryInputError('bad_query', 'the query is empty')
    const mode = options.mode ?? 'hybrid'
    const k = options.k ?? 5
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new MemoryInputError('bad_k', `k must be a whole number from 1 to ${MAX_K}`)
    const floor = options.minSimilarity
    if (floor != null && (!Number.isFinite(floor) || floor < -1 || floor > 1)) throw new MemoryInputError('bad_min_similarity', 'minSimilarity must be a number from -1 to 1')
    const filter = { communities: list, kinds: options.kinds, excludeKinds: options.excludeKinds, agent: options.agent, since: options.since, until: options.until }
    checkFilter(filter)
    const vector = mode === 'text' && floor == null ? undefined : (await embedder.embed([query]))[0]
    const hits = await store.search({ mode, text: query, vector, k, filter })
    if (vector == null) return hits
    const missing = hits.filter(h => h.similarity == null)
    if (missing.length > 0) {
      // the store embedded each text with this embedder: embedding it again gives the same vector
      const vectors = await embedder.embed(missing.map(h => h.record.text))
      missing.forEach((h, i) => { h.similarity = cosine(vector, vectors[i] ?? []) })
    }
    return floor == null ? hits : hits.filter(h => (h.similarity ?? -1) >= floor)
  }

  /**
   * Cosine similarity of two texts under this node's embedder (1 = same meaning).
   *
   * @example
   * ```ts
   * await memory.similarity('my task hangs on k8s', 'my task gets stuck on Kubernetes')  // ~0.6
   * ```
   */
  async similarity (a: string, b: string): Promise<number> {
    const [x, y] = await this.ready().embedder.embed([a, b])
    return x == null || y == null ? 0 : cosine(x, y)
  }

  /** A tombstone has no text to embed: it is stored with a fixed unit vector that no search sees. */
  private tombstoneVector (store: MemoryStore): number[] {
    const v = new Array<number>(store.dimension).fill(0)
    v[0] = 1
    return v
  }

  /**
   * Records with these ids in a community (of every origin that wrote one, each with its
   * `origin`; deleted ones are not returned). `origin` narrows them to one node's.
   *
   * @example
   * ```ts
   * const [record] = await memory.get('devsupport', ['faq-1'], { origin: node.peerId.toString() })
   * ```
   */
  async get (community: string, ids: string[], options: { origin?: string } = {}): Promise<StoredRecord[]> {
    this.member(community)
    const records = await this.ready().store.get(ids, [community])
    return records.filter(r => r.deleted !== true && (options.origin == null || r.origin === options.origin))
  }

  /**
   * Deletes one of this node's records everywhere: writes its tombstone (the next seq,
   * `deleted` set, text emptied, signed) and replicates it like a write. Throws
   * MemoryInputError `not_owner` for another node's record (only its origin can delete
   * it) and `not_found` when there is none.
   *
   * @example
   * ```ts
   * const tombstone = await memory.delete('devsupport', 'faq-1')
   * ```
   */
  async delete (community: string, id: string, options: { origin?: string } = {}): Promise<StoredRecord> {
    const { store, writes } = this.ready()
    this.member(community)
    const self = this.components.peerId.toString()
    if (!this.components.communities.mayWrite(community, self)) throw new MemoryInputError('read_only', `this node may read ${community} but not write to its memory`)
    const vv = await this.versionOf(community)
    const tombstone = await writes.write({
      plan: async ({ next, pending }) => {
        const held = (await store.get([id], [community])).filter(r => r.deleted !== true && (options.origin == null || r.origin === options.origin))
        const built = pending.get(`${community}|${id}`)
        const mine = built != null ? (built.deleted === true ? undefined : built) : held.find(r => r.origin === self)
        if (mine == null) {
          const other = held.find(r => r.origin !== self)
          if (other != null) {
            this.refusals.not_owner++
            throw new MemoryInputError('not_owner', `record ${id} in ${community} belongs to ${other.origin}: only its origin can delete it`)
          }
          throw new MemoryInputError('not_found', `no record ${id} in ${community}${options.origin == null ? '' : ` from ${options.origin}`}`)
        }
        let covers = addCover(mine.covers ?? [], mine.seq, mine.seq)
        const highest = highestOwn(vv, community, self, pending)
        if (highest + 1 <= next - 1) covers = addCover(covers, highest + 1, next - 1)
        const made = await makeTombstone(mine, next, this.components.privateKey, covers)
        return { records: [{ ...made, vector: this.tombstoneVector(store) }], result: (stored: StoredRecord[]) => stored[0] ?? made }
      }
    })
    this.safeDispatchEvent('record:added', { detail: { community, records: [tombstone], local: true } })
    return tombstone
  }

  /** Local writes and deletes refused because they named another node's record or agent. */
  ownershipRefusals (): OwnershipRefusals {
    return { ...this.refusals }
  }

  async stats (community: string): Promise<CommunityStats> {
    this.member(community)
    return this.ready().store.stats(community)
  }

  /** One page of a community's records, by id (export). */
  async page (community: string, afterId: string | undefined, limit: number): Promise<StoredRecord[]> {
    this.member(community)
    return this.ready().store.page(community, afterId, limit)
  }

  /** Highest sequence number this node has given its records. */
  get currentSeq (): number {
    return this.writes?.highestSeq ?? 0
  }

  /**
   * What automatic capture has done: the post log position captured up to, posts and
   * direct exchanges written, passed over, refused.
   *
   * @example
   * ```ts
   * const { position, posts } = node.libp2p.services.memory.captureStatus() ?? { position: 0, posts: 0 }
   * ```
   */
  captureStatus (): CaptureStatus | undefined {
    return this.capture?.status()
  }

  /** Per origin: records held, highest seq, highest seq known to exist, and the lag. */
  async replicaStatus (community: string): Promise<ReturnType<VersionVector['summary']>> {
    this.member(community)
    return (await this.versionOf(community)).summary()
  }

  private readonly onEvent = (evt: CustomEvent<ObservedEvent>): void => {
    if (this.started && this.components.channels.communities().includes(evt.detail.event.community)) this.capture?.observe(evt.detail)
  }

  /** Posts of a community joined late (at start, the channels service joins after memory starts) are captured now. */
  private readonly onMembership = (evt: CustomEvent<{ community: string, joined: boolean }>): void => {
    if (evt.detail.joined) this.capture?.wake()
  }
}

/** Whether an input would write what this node's record already holds. */
function sameContent (r: StoredRecord, input: RememberInput, self: string): boolean {
  return r.text === input.text && r.kind === (input.kind ?? DEFAULT_KIND) && r.agent === (input.agent ?? `user@${self}`) &&
    JSON.stringify(r.metadata) === JSON.stringify(input.metadata ?? {}) && (input.createdAt == null || input.createdAt === r.createdAt)
}

/** The highest seq of this node's in a community, counting versions built earlier in the same batch. */
function highestOwn (vv: VersionVector, community: string, self: string, pending: Map<string, StoredRecord>): number {
  let highest = vv.highest(self)
  for (const r of pending.values()) if (r.community === community && r.origin === self) highest = Math.max(highest, r.seq)
  return highest
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
function cosine (x: number[], y: number[]): number {
  let dot = 0
  let nx = 0
  let ny = 0
  for (let i = 0; i < x.length; i++) {
    dot += (x[i] ?? 0) * (y[i] ?? 0)
    nx += (x[i] ?? 0) ** 2
    ny += (y[i] ?? 0) ** 2
  }
  return nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny)
}
