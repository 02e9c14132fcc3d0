import { join } from 'node:path'
import { TypedEventEmitter } from '@libp2p/interface'
import { Capture } from './capture.js'
import { LocalEmbedder } from './embedders/local.js'
import { OpenAIEmbedder } from './embedders/openai.js'
import { MemoryInputError, MemoryUnavailableError } from './errors.js'
import { checkFilter } from './filter.js'
import { GroupCommit } from './group-commit.js'
import { checkInput } from './record.js'
import { VersionVector } from './replication/version-vector.js'
import { checkRemoteRecord } from './replication/validate.js'
import { EmbeddedStore } from './stores/embedded.js'
import { ProcessStore } from './stores/process/process-store.js'
import { MilvusStore } from './stores/milvus/store.js'
import type { CaptureStatus } from './capture.js'
import type { Embedder } from './embedders/types.js'
import type { RememberInput } from './record.js'
import type { CommunityStats, MemoryRecord, MemoryStore, SearchHit, SearchMode } from './types.js'
import type { StoreProcessInfo } from './stores/process/process-store.js'
import type { Channels } from '../channels/channels.js'
import type { ObservedEvent } from '../channels/context.js'
import type { NodeConfig } from '../config/schema.js'
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'

export type MemorySettings = NodeConfig['memory']

export interface MemoryComponents {
  peerId: PeerId
  privateKey: PrivateKey
  logger: ComponentLogger
  channels: Channels
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
  mode?: SearchMode
  k?: number
  kinds?: string[]
  agent?: string
  since?: number
  until?: number
}

/** A record as the API and agents see it (no vector). */
export type StoredRecord = Omit<MemoryRecord, 'vector'>

export interface RecordsAdded {
  community: string
  records: StoredRecord[]
  /** Written by this node (true) or received from a peer. */
  local: boolean
}

export interface MemoryEvents {
  /** Records stored, after they are durable: this node's writes and those received from peers. */
  'record:added': CustomEvent<RecordsAdded>
}

/** What `rememberMany` did with each input. */
export interface RememberResult {
  records: StoredRecord[]
  rejected: Array<{ index: number, error: string }>
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
  /** This node's writes, group-committed with gap-free seqs; resumes its seq from the store after a restart. */
  private writes?: GroupCommit
  private capture?: Capture
  private readonly versions = new Map<string, VersionVector>()
  private started = false

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
    const embedder = await this.makeEmbedder()
    if (this.init.openStore != null) this.store = await this.init.openStore(embedder)
    else if (this.init.settings.store === 'milvus') this.store = await MilvusStore.open(this.init.settings.milvus, embedder)
    else this.store = await this.openEmbedded(dir, embedder)
    this.embedder = embedder
    const self = this.components.peerId.toString()
    this.writes = new GroupCommit({
      store: this.store,
      privateKey: this.components.privateKey,
      self,
      versionOf: community => this.versions.get(community),
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
        held: async (community, ids) => (await this.get(community, ids)).map(r => r.id)
      },
      log: this.log
    })
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
    for (const { origin, seq } of await store.versions(community)) {
      vv.add(origin, seq)
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
    await this.store?.close()
    this.store = undefined
    this.writes = undefined
  }

  private async makeEmbedder (): Promise<Embedder> {
    if (this.init.settings.embedder === 'local') return new LocalEmbedder()
    const embedder = new OpenAIEmbedder({
      baseUrl: this.init.llm.baseUrl,
      apiKey: this.init.llm.apiKey,
      model: this.init.settings.embeddingModel,
      dimensions: this.init.settings.embeddingDimensions,
      timeoutMs: this.init.llm.timeoutMs,
      maxRetries: this.init.llm.maxRetries
    })
    await embedder.probe()
    return embedder
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
    if (first == null) throw new MemoryInputError('bad_record', result.rejected[0]?.error ?? 'the record was rejected')
    return first
  }

  /**
   * Stores many records in one batch; resolves once they are durable. Invalid inputs
   * are rejected one by one (with their index) and the rest are written, whole or not
   * at all; nothing of a rejected input is stored. Writes that arrive while another is
   * being committed share the next commit.
   *
   * @example
   * ```ts
   * const { records, rejected } = await memory.rememberMany('devsupport', [{ text: 'Pin numpy below 2' }, { text: '' }])
   * // records: one stored record; rejected: [{ index: 1, error: 'the text is empty' }]
   * ```
   */
  async rememberMany (community: string, inputs: RememberInput[]): Promise<RememberResult> {
    const { embedder, writes } = this.ready()
    this.member(community)
    const rejected: RememberResult['rejected'] = []
    const valid: RememberInput[] = []
    inputs.forEach((input, index) => {
      try {
        checkInput(input, this.init.settings.maxTextBytes)
        valid.push(input)
      } catch (err) {
        rejected.push({ index, error: (err as Error).message })
      }
    })
    if (valid.length === 0) return { records: [], rejected }
    const vectors = await embedder.embed(valid.map(v => v.text))
    // loaded before the write is queued: the commit marks the records in it
    await this.versionOf(community)
    const stored = await writes.write({ community, inputs: valid, vectors })
    this.safeDispatchEvent('record:added', { detail: { community, records: stored, local: true } })
    return { records: stored, rejected }
  }

  /**
   * Stores records written by other nodes (gossip, sync): each is checked (community,
   * size, origin signature), records already held are skipped, the rest are embedded
   * with this node's embedder and upserted. Returns how many were new; throws
   * MemoryInputError naming the first invalid record, storing none of the batch.
   */
  async ingest (community: string, records: StoredRecord[]): Promise<StoredRecord[]> {
    const { store, embedder } = this.ready()
    this.member(community)
    for (const r of records) await checkRemoteRecord(r, community, this.init.settings.maxTextBytes)
    const vv = await this.versionOf(community)
    const fresh = records.filter(r => !vv.has(r.origin, r.seq))
    for (const r of records) vv.saw(r.origin, r.seq)
    if (fresh.length === 0) return []
    const vectors = await embedder.embed(fresh.map(r => r.text))
    await store.upsert(fresh.map((r, i) => ({ ...r, vector: vectors[i] ?? [] })))
    for (const r of fresh) vv.add(r.origin, r.seq)
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
   * (`hybrid`, the default).
   *
   * @example
   * ```ts
   * const hits = await memory.recall('devsupport', 'how do I get better recall from HNSW?', { k: 5, kinds: ['expert_knowledge'] })
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
    const filter = { communities: list, kinds: options.kinds, agent: options.agent, since: options.since, until: options.until }
    checkFilter(filter)
    const vector = mode === 'text' ? undefined : (await embedder.embed([query]))[0]
    return store.search({ mode, text: query, vector, k, filter })
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
    if (x == null || y == null) return 0
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

  async get (community: string, ids: string[]): Promise<StoredRecord[]> {
    this.member(community)
    return this.ready().store.get(ids, [community])
  }

  async delete (community: string, ids: string[]): Promise<number> {
    this.member(community)
    return this.ready().store.delete({ communities: [community], ids })
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
