import { TypedEventEmitter } from '@libp2p/interface'
import { MemoryInputError } from '../errors.js'
import { addCover, makeRecord, makeTombstone, MAX_COVER_RANGES } from '../record.js'
import { GroupCommit } from './group-commit.js'
import { SeqLedger } from './seq-ledger.js'
import { checkRemoteRecord } from './validate.js'
import { isSignedVector, keptVector, signedVectorOf, signVector, vectorBytes } from './vector.js'
import { VersionVector } from './version-vector.js'
import type { VerifiedRecord } from './validate.js'
import type { Embedder } from '../embedders/types.js'
import type { RememberInput } from '../record.js'
import type { MemoryRecord, MemoryStore, RecordsAdded, StoredRecord, SyncedRecord } from '../types.js'
import type { CarriedVector, EmbedderId } from './vector.js'
import type { Logger, PrivateKey, TypedEventTarget } from '@libp2p/interface'

export interface ReplicaInit {
  store: MemoryStore
  /** Each node keeps its own copy of the store (true), or the store is shared and only notices travel. */
  replicated: boolean
  /** Embeds the text of records received from peers without a vector this node can use. */
  embedder: Embedder
  /** The node's peer id: the origin of its records. */
  self: string
  privateKey: PrivateKey
  /** The seq ledger file, `<dataDir>/memory/seq.json`. */
  ledgerPath: string
  /** Longest record text accepted, in bytes. */
  maxTextBytes: number
  log: Logger
}

export interface ReplicaEvents {
  /** Records stored, after they are durable: this node's writes and those received from peers. */
  'record:added': CustomEvent<RecordsAdded>
}

/** This node's current version of each id asked for, and live records of other origins with those ids. */
export interface HeldVersions {
  /** Tombstones included; a version written earlier in the same batch counts (it is newer than the store's). */
  mine: Map<string, StoredRecord>
  others: Map<string, StoredRecord>
}

/** One new version of this node's to write: a new record, or a new version of `previous`. */
export interface NewVersion {
  input: RememberInput
  vector: number[]
  previous?: StoredRecord
}

/** A write of this node's records, planned when its batch is built. */
export interface OwnWrite<T> {
  /** Ids the plan needs to see held (`HeldVersions`). */
  ids: string[]
  /** Decides what to write; may throw to refuse the whole write. */
  plan: (held: HeldVersions) => Promise<{ versions: NewVersion[], result: (written: StoredRecord[]) => T }>
  /** Checked before the plan runs: an aborted write writes nothing. */
  signal?: AbortSignal
}

/** Where the replication service finds the node's replica: the memory service. */
export interface ReplicaSource extends TypedEventTarget<ReplicaEvents> {
  /** False when `memory.enabled` is off. */
  readonly enabled: boolean
  /** The replica while memory runs. */
  readonly replica: Replica | undefined
}

/**
 * A node's replica of its communities' memory, on top of the store: it hands out this
 * node's seqs (the seq ledger, group commit), signs new versions and tombstones with
 * the seqs they cover, keeps a version vector per community, and ingests records of
 * other origins once they are verified. Every record it stores is announced with
 * `record:added`.
 *
 * @example
 * ```ts
 * const replica = await Replica.open({ store, replicated: true, embedder, self, privateKey, ledgerPath: 'n1/memory/seq.json', maxTextBytes: 32_768, log })
 * const fresh = await replica.ingest('devsupport', await replica.verify('devsupport', records))
 * ```
 */
export class Replica extends TypedEventEmitter<ReplicaEvents> {
  readonly store: MemoryStore
  readonly replicated: boolean
  private readonly init: ReplicaInit
  private readonly ledger: SeqLedger
  private readonly writes: GroupCommit
  private readonly versions = new Map<string, VersionVector>()

  private constructor (init: ReplicaInit, ledger: SeqLedger) {
    super()
    this.init = init
    this.store = init.store
    this.replicated = init.replicated
    this.ledger = ledger
    this.writes = new GroupCommit({
      store: init.store,
      self: init.self,
      versionOf: community => this.versions.get(community),
      reserve: async last => ledger.reserve(last),
      // an earlier write that failed was committed after all: its caller saw an error, but peers get the records
      onLate: (records) => {
        for (const community of new Set(records.map(r => r.community))) this.added(community, records.filter(r => r.community === community), true)
      },
      log: init.log
    })
    this.writes.observe(ledger.reserved)
  }

  /** Opens the seq ledger (the store may have lost or replaced a record this node wrote: the ledger knows every seq handed out). */
  static async open (init: ReplicaInit): Promise<Replica> {
    return new Replica(init, await SeqLedger.open(init.ledgerPath))
  }

  /** Longest record text accepted, in bytes. */
  get maxTextBytes (): number {
    return this.init.maxTextBytes
  }

  /** The embedder of this node's vectors: a received vector is used only if it was made by the same one. */
  get embedder (): EmbedderId {
    return { name: this.init.embedder.name, dimension: this.init.embedder.dimension }
  }

  /** Highest sequence number this node has given its records. */
  get highestSeq (): number {
    return this.writes.highestSeq
  }

  /** The replica's version vector of a community, built from the store the first time. */
  async versionOf (community: string): Promise<VersionVector> {
    let vv = this.versions.get(community)
    if (vv != null) return vv
    vv = new VersionVector()
    for (const { origin, seq, covers } of await this.store.versions(community)) {
      vv.add(origin, seq)
      for (const [first, last] of covers ?? []) vv.cover(origin, first, last)
      if (origin === this.init.self) this.writes.observe(seq)
    }
    this.versions.set(community, vv)
    return vv
  }

  /**
   * Writes versions of this node's records in a community, group-committed: the plan
   * sees what is held under its ids, and each version it returns is signed with the
   * next seq, covering the versions it replaces and the seqs this node used elsewhere
   * since its last record here (so replicas see no gap). Resolves once durable.
   */
  async writeOwn<T> (community: string, write: OwnWrite<T>): Promise<T> {
    write.signal?.throwIfAborted()
    const { self, privateKey } = this.init
    // loaded before the write is queued: the commit marks the records in it
    const vv = await this.versionOf(community)
    write.signal?.throwIfAborted()
    const vectors = new Map<number, number[]>()
    const { value, written } = await this.writes.write({
      plan: async ({ next, pending }) => {
        write.signal?.throwIfAborted()
        const ids = [...new Set(write.ids)]
        const held = ids.length === 0 ? [] : await this.store.get(ids, [community])
        const mine = new Map(held.filter(r => r.origin === self).map(r => [r.id, r]))
        for (const id of ids) {
          const p = pending.get(`${community}|${id}`)
          if (p != null) mine.set(id, p)
        }
        const others = new Map(held.filter(r => r.origin !== self && r.deleted !== true).map(r => [r.id, r]))
        const { versions, result } = await write.plan({ mine, others })
        write.signal?.throwIfAborted()
        const records: MemoryRecord[] = []
        const highest = highestOwn(vv, community, self, pending)
        let covers: Array<[number, number]> = versions.length > 0 && highest + 1 <= next - 1 ? [[highest + 1, next - 1]] : []
        const batch = new Map<string, StoredRecord>()
        for (const [i, { input, vector, previous }] of versions.entries()) {
          const before = (input.id == null ? undefined : batch.get(input.id)) ?? previous
          if (before != null) covers = addCover(covers, before.seq, before.seq)
          for (const range of before?.covers ?? []) covers = addCover(covers, range[0], range[1])
          if (covers.length > MAX_COVER_RANGES) throw new MemoryInputError('too_many_versions', `record ${input.id ?? ''} has too many versions; write it under a new id`)
          // the record's signature covers its vector, so a receiver checks one signature for
          // both; a shared store (Milvus) sends no vectors and keeps no digest
          const signedVector = this.replicated && vector.length === this.init.embedder.dimension ? signedVectorOf(this.embedder, vector) : undefined
          const base = await makeRecord(input, community, next + i, privateKey, { covers, ...(signedVector == null ? {} : { signedVector }) })
          covers = []
          batch.set(base.id, base)
          vectors.set(base.seq, vector)
          records.push({ ...base, vector })
        }
        return { records, result: (stored: StoredRecord[]) => ({ value: result(stored), written: stored }) }
      }
    })
    if (written.length > 0) this.added(community, written, true, vectors)
    return value
  }

  /**
   * Writes the tombstone of one of this node's records (the next seq, `deleted` set,
   * text emptied, covering every earlier version) and announces it like a write.
   * Throws MemoryInputError `not_owner` when only another origin holds the id, and
   * `not_found` when there is none.
   */
  async tombstone (community: string, id: string, options: { origin?: string, signal?: AbortSignal } = {}): Promise<StoredRecord> {
    options.signal?.throwIfAborted()
    const { self, privateKey } = this.init
    const vv = await this.versionOf(community)
    options.signal?.throwIfAborted()
    const tombstone = await this.writes.write({
      plan: async ({ next, pending }) => {
        options.signal?.throwIfAborted()
        const held = (await this.store.get([id], [community])).filter(r => r.deleted !== true && (options.origin == null || r.origin === options.origin))
        const built = pending.get(`${community}|${id}`)
        const mine = built != null ? (built.deleted === true ? undefined : built) : held.find(r => r.origin === self)
        if (mine == null) {
          const other = held.find(r => r.origin !== self)
          if (other != null) throw new MemoryInputError('not_owner', `record ${id} in ${community} belongs to ${other.origin}: only its origin can delete it`)
          throw new MemoryInputError('not_found', `no record ${id} in ${community}${options.origin == null ? '' : ` from ${options.origin}`}`)
        }
        let covers = addCover(mine.covers ?? [], mine.seq, mine.seq)
        const highest = highestOwn(vv, community, self, pending)
        if (highest + 1 <= next - 1) covers = addCover(covers, highest + 1, next - 1)
        const made = await makeTombstone(mine, next, privateKey, covers)
        return { records: [{ ...made, vector: this.tombstoneVector() }], result: (stored: StoredRecord[]) => stored[0] ?? made }
      }
    })
    this.added(community, [tombstone], true)
    return tombstone
  }

  /**
   * Checks records received from other nodes (`checkRemoteRecord`); throws
   * MemoryInputError naming the first invalid one.
   */
  async verify (community: string, records: StoredRecord[]): Promise<VerifiedRecord[]> {
    const out: VerifiedRecord[] = []
    for (const r of records) out.push(await checkRemoteRecord(r, community, this.init.maxTextBytes))
    return out
  }

  /**
   * Stores verified records of other nodes (gossip, sync): records already held are
   * skipped; the rest keep the vector their origin signed (`checkCarriedVector`), or are
   * embedded with this node's embedder, and are upserted; a version replaces the one
   * held only if its seq is higher, and a tombstone is kept (so a deleted record stays
   * deleted). Returns the new ones.
   */
  async ingest (community: string, records: VerifiedRecord[]): Promise<StoredRecord[]> {
    const vv = await this.versionOf(community)
    const fresh = records.filter(r => !vv.has(r.origin, r.seq))
    for (const r of records) vv.saw(r.origin, r.seq)
    if (fresh.length === 0) return []
    // only records that brought no usable vector are embedded here
    const unembedded = fresh.filter(r => r.deleted !== true && r.vector?.length !== this.init.embedder.dimension)
    const vectors = unembedded.length === 0 ? [] : await this.init.embedder.embed(unembedded.map(r => r.text))
    const byRecord = new Map<StoredRecord, number[]>(unembedded.map((r, i) => [r, vectors[i] ?? []]))
    // a received record lost to a power cut is held by its origin and its peers: the next catch-up brings it again
    const tombstone = fresh.some(r => r.deleted === true) ? this.tombstoneVector() : []
    await this.store.upsert(fresh.map(r => toUpsert(r, byRecord.get(r), tombstone)), { durable: false })
    for (const r of fresh) {
      vv.add(r.origin, r.seq)
      for (const [a, b] of r.covers ?? []) vv.cover(r.origin, a, b)
    }
    const stored = fresh.map(withoutVector)
    this.added(community, stored, false)
    return stored
  }

  /** Records of one origin after a seq, tombstones included, for peers catching up; with their vectors when the store returns them. */
  async recordsAfter (community: string, origin: string, afterSeq: number, limit: number): Promise<SyncedRecord[]> {
    return this.store.afterSeq(community, origin, afterSeq, limit)
  }

  /**
   * The vector to send along with a record, or undefined: none for a tombstone or a
   * record without a vector of this node's dimension; without a signature of its own when
   * it is the vector the record's signature names; otherwise with the vector signature
   * kept from the record's origin (records written before signed vectors), or, for one of
   * this node's records kept without either, signed now with its key.
   *
   * @example
   * ```ts
   * const wire = toWire(record, sealer, await replica.carriedVector(record, record.vector))
   * ```
   */
  async carriedVector (r: StoredRecord, vector: readonly number[] | Float32Array | undefined): Promise<CarriedVector | undefined> {
    if (r.deleted === true || vector == null || vector.length !== this.init.embedder.dimension) return undefined
    const signed = r.signedVector
    if (signed != null && signed.embedder === this.embedder.name && signed.dimension === this.embedder.dimension) {
      // the vector the record's signature names needs no signature of its own
      const carried = { embedder: this.embedder.name, dimension: this.embedder.dimension, bytes: vectorBytes(vector), signature: new Uint8Array(0) }
      if (isSignedVector(signed, carried)) return carried
    }
    if (r.vectorSignature != null && r.vectorSignature.byteLength > 0) return keptVector(this.embedder, vector, r.vectorSignature)
    // a record of this node's stored without its vector signature (before signatures were kept)
    if (r.origin === this.init.self) return signVector(this.init.privateKey, r, this.embedder, vector)
    return undefined
  }

  /** Waits for the writes in flight; a clean close hands out no seq it skipped (a write whose outcome is unknown may still hold its seqs). */
  async close (): Promise<void> {
    await this.writes.idle()
    await this.ledger.settle(this.writes.handedOut).catch((err: unknown) => { this.init.log('%s', (err as Error).message) })
  }

  /** A tombstone has no text to embed: it is stored with a fixed unit vector that no search sees. */
  private tombstoneVector (): number[] {
    const v = new Array<number>(this.store.dimension).fill(0)
    v[0] = 1
    return v
  }

  private added (community: string, records: StoredRecord[], local: boolean, vectors?: ReadonlyMap<number, number[]>): void {
    this.safeDispatchEvent('record:added', { detail: { community, records, local, ...(vectors == null ? {} : { vectors }) } })
  }
}

/** The highest seq of this node's in a community, counting versions built earlier in the same batch. */
function highestOwn (vv: VersionVector, community: string, self: string, pending: Map<string, StoredRecord>): number {
  let highest = vv.highest(self)
  for (const r of pending.values()) if (r.community === community && r.origin === self) highest = Math.max(highest, r.seq)
  return highest
}

/**
 * A received record as it is stored: the origin's vector with its signature, or the
 * vector embedded here (no signature: this node cannot vouch for it), or, for a
 * tombstone, the fixed one.
 */
function toUpsert (r: VerifiedRecord, embedded: number[] | undefined, tombstone: number[]): MemoryRecord {
  const { vector, vectorSignature, ...rest } = r
  if (r.deleted === true) return { ...rest, vector: tombstone }
  if (embedded != null || vector == null) return { ...rest, vector: embedded ?? [] }
  return { ...rest, vector, ...(vectorSignature == null ? {} : { vectorSignature }) }
}

function withoutVector (r: VerifiedRecord): StoredRecord {
  const { vector: _vector, ...rest } = r
  return rest
}
