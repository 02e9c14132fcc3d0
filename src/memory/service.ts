import { join } from 'node:path'
import { TypedEventEmitter } from '@libp2p/interface'
import { EndpointHealth } from '../endpoints/health.js'
import { chooseEmbedder } from './embedders/select.js'
import { EmbedderMismatchError, MemoryInputError, MemoryUnavailableError } from './errors.js'
import { checkFilter } from './filter.js'
import { agentOfOrigin, checkInput, DEFAULT_KIND } from './record.js'
import { Replica } from './replication/replica.js'
import { fillSimilarity, cosine } from './similarity.js'
import { customStoreAdapter, storeAdapter } from './stores/registry.js'
import type { EndpointDown, EndpointStatus, EndpointUp } from '../endpoints/health.js'
import type { EndpointKind } from '../endpoints/errors.js'
import type { Embedder } from './embedders/types.js'
import type { RememberInput } from './record.js'
import type { NewVersion, ReplicaSource } from './replication/replica.js'
import type { VersionVector } from './replication/version-vector.js'
import type { StoreAdapter } from './stores/adapter.js'
import type { CommunityStats, MemoryStore, RecordsAdded, SearchHit, SearchMode, StoredRecord } from './types.js'
import type { Channels } from '../channels/channels.js'
import type { CommunityAccess } from '../communities/access.js'
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
  /** Opens the store; default: the adapter `memory.store` names (embedded SQLite, or Milvus). */
  openStore?: (embedder: Embedder) => Promise<MemoryStore>
  /** The store adapter to use instead of the one `memory.store` names. */
  storeAdapter?: StoreAdapter
  /** The embedder to use instead of the one `memory.embedder` names. */
  embedder?: Embedder
}

/** Lets a call be given up: checked before each step and between them; a write aborted before it commits writes nothing. */
export interface CallOptions {
  signal?: AbortSignal
}

export interface RecallOptions extends CallOptions {
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

export interface MemoryEvents {
  /** Records stored, after they are durable: this node's writes and those received from peers. */
  'record:added': CustomEvent<RecordsAdded>
  /** Milvus or the embeddings endpoint stopped answering: once per outage, however many calls fail. */
  'endpoint:down': CustomEvent<EndpointDown>
  /** It answers again. */
  'endpoint:up': CustomEvent<EndpointUp>
  /** What the user should know about memory at start: no neural model installed, a re-embedding under way. */
  notice: CustomEvent<MemoryNotice>
  /** A search answered: its mode and how long it took. */
  recalled: CustomEvent<Recalled>
}

/** A search `recall` answered. */
export interface Recalled {
  mode: SearchMode
  ms: number
}

/** A line for the user about memory, said once. */
export interface MemoryNotice {
  message: string
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
 * The memory service, a thin facade: `remember`, `recall` and `forget` for agents and
 * the API, over the store (opened by its adapter) and the replica (seqs, versions,
 * tombstones). A node reads and writes only the communities it joined; every query is
 * filtered by community.
 */
export class Memory extends TypedEventEmitter<MemoryEvents> implements Startable, ReplicaSource {
  private readonly components: MemoryComponents
  private readonly init: MemoryInit
  private readonly log: Logger
  private running?: { store: MemoryStore, embedder: Embedder, replica: Replica, owned: boolean }
  private readonly refusals: OwnershipRefusals = { not_owner: 0, bad_agent: 0 }
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
    return this.running != null
  }

  /** The replica (seqs, version vectors, remote records) while memory runs. */
  get replica (): Replica | undefined {
    return this.running?.replica
  }

  async start (): Promise<void> {
    if (!this.init.settings.enabled) return
    const dir = join(this.init.dataDir, 'memory')
    // a start after a stop watches the endpoints afresh
    this.health.length = 0
    const { settings } = this.init
    const choice = this.init.embedder != null
      ? { embedder: this.init.embedder, inProcess: false }
      : await chooseEmbedder(settings, this.init.llm, (endpoint, address) => this.watch(endpoint, address))
    const { embedder } = choice
    const notice = (message: string): void => { this.safeDispatchEvent('notice', { detail: { message } }) }
    if (choice.notice != null) notice(choice.notice)
    const adapter = this.init.storeAdapter ?? (this.init.openStore != null ? customStoreAdapter(this.init.openStore) : storeAdapter(settings.store))
    // an embedder the node opened is the node's to close; one given to it is not
    const owned = this.init.embedder == null
    let store: MemoryStore
    try {
      store = await adapter.open({ dir, settings, embedder, reembed: choice.inProcess && choice.fallback !== true, notice, watch: (endpoint, address) => this.watch(endpoint, address), log: this.log })
    } catch (err) {
      if (owned) await embedder.close?.().catch(() => {})
      if (err instanceof EmbedderMismatchError && choice.fallback === true && choice.notice != null) {
        throw new EmbedderMismatchError(`${err.message} This node runs the lexical embedder only because ${choice.notice.replace(/^memory: /, '')}.`)
      }
      throw err
    }
    const replica = await Replica.open({
      store,
      replicated: adapter.replicated,
      embedder,
      self: this.components.peerId.toString(),
      privateKey: this.components.privateKey,
      ledgerPath: join(dir, 'seq.json'),
      maxTextBytes: settings.maxTextBytes,
      log: this.log
    }).catch(async (err: unknown) => {
      await store.close().catch(() => {})
      if (owned) await embedder.close?.().catch(() => {})
      throw err
    })
    replica.addEventListener('record:added', (evt) => { this.safeDispatchEvent('record:added', { detail: evt.detail }) })
    this.running = { store, embedder, replica, owned }
    for (const community of this.init.communities) await replica.versionOf(community)
  }

  async stop (): Promise<void> {
    const running = this.running
    this.running = undefined
    if (running == null) return
    await running.replica.close()
    await running.store.close()
    if (running.owned) await running.embedder.close?.()
  }

  /** The health of an endpoint the node uses, whose outages become this service's events. */
  private watch (endpoint: EndpointKind, address: string): EndpointHealth {
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

  private ready (): { store: MemoryStore, embedder: Embedder, replica: Replica } {
    if (!this.init.settings.enabled) throw new MemoryUnavailableError('memory service not configured (memory.enabled is false)')
    if (this.running == null) throw new MemoryUnavailableError('the memory service is not running')
    return this.running
  }

  private member (community: string): void {
    if (!this.components.channels.communities().includes(community)) {
      throw new MemoryInputError('not_member', `this node has not joined community "${community}" (joined: ${this.components.channels.communities().join(', ') || 'none'})`)
    }
  }

  private writer (community: string): void {
    if (!this.components.communities.mayWrite(community, this.components.peerId.toString())) throw new MemoryInputError('read_only', `this node may read ${community} but not write to its memory`)
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
  async remember (community: string, input: RememberInput, options: CallOptions = {}): Promise<StoredRecord> {
    const result = await this.rememberMany(community, [input], options)
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
  async rememberMany (community: string, inputs: RememberInput[], options: CallOptions = {}): Promise<RememberResult> {
    options.signal?.throwIfAborted()
    const { embedder, replica } = this.ready()
    this.member(community)
    this.writer(community)
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
    const { kept, written, updated } = await replica.writeOwn(community, {
      ids: valid.flatMap(v => v.input.id == null ? [] : [v.input.id]),
      signal: options.signal,
      plan: async ({ mine, others }) => {
        const kept: StoredRecord[] = []
        const versions: NewVersion[] = []
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
          versions.push({ input, vector: vectors[i] ?? [], previous })
        }
        const updated = versions.filter(p => p.previous != null && p.previous.deleted !== true).length
        return { versions, result: (stored: StoredRecord[]) => ({ kept, written: stored, updated }) }
      }
    })
    return { records: [...kept, ...written], rejected: rejected.sort((a, b) => a.index - b.index), added: written.length - updated, updated, unchanged: kept.length }
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
    const { signal } = options
    signal?.throwIfAborted()
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
    const started = performance.now()
    const vector = mode === 'text' && floor == null ? undefined : (await embedder.embed([query]))[0]
    signal?.throwIfAborted()
    let hits = await store.search({ mode, text: query, vector, k, filter })
    if (vector != null) {
      signal?.throwIfAborted()
      await fillSimilarity(hits, vector, embedder)
      if (floor != null) hits = hits.filter(h => (h.similarity ?? -1) >= floor)
    }
    this.safeDispatchEvent('recalled', { detail: { mode, ms: performance.now() - started } })
    return hits
  }

  /**
   * Cosine similarity of two texts under this node's embedder (1 = same meaning).
   *
   * @example
   * ```ts
   * await memory.similarity('my task hangs on k8s', 'my task gets stuck on Kubernetes')  // ~0.6
   * ```
   */
  async similarity (a: string, b: string, options: CallOptions = {}): Promise<number> {
    options.signal?.throwIfAborted()
    const [x, y] = await this.ready().embedder.embed([a, b])
    return x == null || y == null ? 0 : cosine(x, y)
  }

  /**
   * Vectors of texts under this node's embedder, for comparing many texts at once with
   * `cosine` (an OpenAI-compatible endpoint's vectors need not be unit length).
   *
   * @example
   * ```ts
   * const [q, card] = await memory.embed(['pod gets OOMKilled', 'Answers Kubernetes questions'])
   * ```
   */
  async embed (texts: string[], options: CallOptions = {}): Promise<number[][]> {
    options.signal?.throwIfAborted()
    return texts.length === 0 ? [] : this.ready().embedder.embed(texts)
  }

  /**
   * The name of the embedder memory runs with (`all-minilm-l6-v2@8199be6f699a`,
   * `lexical-v2`), undefined while memory is not running.
   *
   * @example
   * ```ts
   * memory.embedderName?.startsWith('lexical')   // true: no neural model installed
   * ```
   */
  get embedderName (): string | undefined {
    return this.running?.embedder.name
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
  async get (community: string, ids: string[], options: { origin?: string } & CallOptions = {}): Promise<StoredRecord[]> {
    options.signal?.throwIfAborted()
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
   * const tombstone = await memory.forget('devsupport', 'faq-1')
   * ```
   */
  async forget (community: string, id: string, options: { origin?: string } & CallOptions = {}): Promise<StoredRecord> {
    options.signal?.throwIfAborted()
    const { replica } = this.ready()
    this.member(community)
    this.writer(community)
    try {
      return await replica.tombstone(community, id, options)
    } catch (err) {
      if (err instanceof MemoryInputError && err.code === 'not_owner') this.refusals.not_owner++
      throw err
    }
  }

  /**
   * `forget` by its older name.
   *
   * @example
   * ```ts
   * await memory.delete('devsupport', 'faq-1')
   * ```
   */
  async delete (community: string, id: string, options: { origin?: string } & CallOptions = {}): Promise<StoredRecord> {
    return this.forget(community, id, options)
  }

  /** Local writes and deletes refused because they named another node's record or agent. */
  ownershipRefusals (): OwnershipRefusals {
    return { ...this.refusals }
  }

  /**
   * Live records of a community, per kind and per origin.
   *
   * @example
   * ```ts
   * const { records, byKind } = await memory.stats('devsupport')
   * ```
   */
  async stats (community: string, options: CallOptions = {}): Promise<CommunityStats> {
    options.signal?.throwIfAborted()
    this.member(community)
    return this.ready().store.stats(community)
  }

  /**
   * One page of a community's records, by id (export).
   *
   * @example
   * ```ts
   * const first = await memory.page('devsupport', undefined, 500)
   * const next = await memory.page('devsupport', first.at(-1)?.id, 500)
   * ```
   */
  async page (community: string, afterId: string | undefined, limit: number, options: CallOptions = {}): Promise<StoredRecord[]> {
    options.signal?.throwIfAborted()
    this.member(community)
    return this.ready().store.page(community, afterId, limit)
  }

  /** Highest sequence number this node has given its records. */
  get currentSeq (): number {
    return this.running?.replica.highestSeq ?? 0
  }

  /** Per origin: records held, highest seq, highest seq known to exist, and the lag. */
  async replicaStatus (community: string): Promise<ReturnType<VersionVector['summary']>> {
    this.member(community)
    return (await this.ready().replica.versionOf(community)).summary()
  }
}

/** Whether an input would write what this node's record already holds. */
function sameContent (r: StoredRecord, input: RememberInput, self: string): boolean {
  return r.text === input.text && r.kind === (input.kind ?? DEFAULT_KIND) && r.agent === (input.agent ?? `user@${self}`) &&
    JSON.stringify(r.metadata) === JSON.stringify(input.metadata ?? {}) && (input.createdAt == null || input.createdAt === r.createdAt)
}
