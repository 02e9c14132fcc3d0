import { ulid } from 'ulid'
import { originOf, signWith, verifyByOrigin } from '../signatures/ed25519.js'
import type { VerifyOptions } from '../signatures/ed25519.js'
import { MemoryInputError } from './errors.js'
import { KIND } from './filter.js'
import type { MemoryRecord, SignedVector } from './types.js'
import type { PrivateKey } from '@libp2p/interface'

/** What a caller gives to remember something. */
export interface RememberInput {
  text: string
  /** Default `expert_knowledge`. */
  kind?: string
  metadata?: Record<string, unknown>
  /** Agent id of the author; default `user@<peer id>`. */
  agent?: string
  /** A stable id makes the write idempotent; default a new ULID. */
  id?: string
  createdAt?: number
}

export const DEFAULT_KIND = 'expert_knowledge'
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
const MAX_METADATA_BYTES = 16_384

/** Checks a remember input; throws MemoryInputError naming the problem. */
export function checkInput (input: RememberInput, maxTextBytes: number): void {
  if (typeof input.text !== 'string' || input.text.trim() === '') throw new MemoryInputError('bad_text', 'the text is empty')
  const bytes = Buffer.byteLength(input.text)
  if (bytes > maxTextBytes) throw new MemoryInputError('text_too_long', `the text is ${bytes} bytes, over the ${maxTextBytes}-byte limit`)
  if (input.kind != null && !KIND.test(input.kind)) throw new MemoryInputError('bad_kind', `"${input.kind}" is not a kind (lowercase letters, digits and "_", e.g. expert_knowledge)`)
  if (input.id != null && !ID.test(input.id)) throw new MemoryInputError('bad_id', `"${input.id}" is not a record id (letters, digits, ".", "_", ":", "-", up to 128)`)
  if (input.metadata != null) {
    if (typeof input.metadata !== 'object' || Array.isArray(input.metadata)) throw new MemoryInputError('bad_metadata', 'metadata must be a JSON object')
    if (Buffer.byteLength(JSON.stringify(input.metadata)) > MAX_METADATA_BYTES) throw new MemoryInputError('bad_metadata', `metadata is over ${MAX_METADATA_BYTES} bytes`)
  }
}

/** Most seq ranges a record version may cover: past it, a record is written under a new id. */
export const MAX_COVER_RANGES = 1024

/**
 * The bytes a record's signature covers: every field but vector and signature, in a
 * fixed order, ending with the signed vector's embedder, dimension and digest where the
 * record names one. A live record that covers nothing and names no vector signs the
 * fields of wire version 1 alone, so records written before tombstones and signed
 * vectors existed still verify.
 *
 * @example
 * ```ts
 * await verifyByOrigin(record.origin, recordSigningBytes(record), record.signature)
 * ```
 */
export function recordSigningBytes (r: Omit<MemoryRecord, 'vector' | 'signature'>): Uint8Array {
  const fields: unknown[] = ['oa/1/memory', r.id, r.community, r.kind, r.agent, r.origin, r.seq, r.text, r.metadata, r.createdAt]
  const signed = r.signedVector
  if (r.deleted === true || (r.covers ?? []).length > 0 || signed != null) fields.push(r.deleted === true, r.covers ?? [])
  if (signed != null) fields.push([signed.embedder, signed.dimension, Buffer.from(signed.digest.buffer, signed.digest.byteOffset, signed.digest.byteLength).toString('hex')])
  return new TextEncoder().encode(JSON.stringify(fields))
}

/** Whether `agent` names an agent of the node `origin` (`<name>@<origin>`). */
export function agentOfOrigin (agent: string, origin: string): boolean {
  const at = agent.lastIndexOf('@')
  return at > 0 && agent.slice(at + 1) === origin
}

/**
 * Adds `[first, last]` to a list of seq ranges; the result is sorted with adjacent and
 * overlapping ranges merged.
 *
 * @example
 * ```ts
 * addCover([[1, 1]], 2, 3)   // [[1, 3]]
 * ```
 */
export function addCover (covers: ReadonlyArray<[number, number]>, first: number, last: number): Array<[number, number]> {
  const all = [...covers, [first, last] as [number, number]].sort((a, b) => a[0] - b[0])
  const out: Array<[number, number]> = []
  for (const [a, b] of all) {
    const prev = out.at(-1)
    if (prev != null && a <= prev[1] + 1) prev[1] = Math.max(prev[1], b)
    else out.push([a, b])
  }
  return out
}

/** Checks the seq ranges a version covers: whole numbers, in order, below its own seq. */
export function checkCovers (covers: ReadonlyArray<readonly [number, number]>, seq: number): void {
  if (covers.length > MAX_COVER_RANGES) throw new MemoryInputError('bad_covers', `the record covers ${covers.length} seq ranges, over ${MAX_COVER_RANGES}`)
  let last = 0
  for (const [a, b] of covers) {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a <= last || b < a || b >= seq) throw new MemoryInputError('bad_covers', `the record's covered seqs are not ordered ranges below its seq ${seq}`)
    last = b
  }
}

/** Verifies a record's signature against its origin's key. */
export async function verifyRecord (r: Omit<MemoryRecord, 'vector'>, options: VerifyOptions = {}): Promise<boolean> {
  try {
    return await verifyByOrigin(r.origin, recordSigningBytes(r), r.signature, options)
  } catch {
    return false
  }
}

/** What a new version of a record carries besides its input: the seqs it accounts for, and the vector its signature covers. */
export interface VersionInit {
  covers?: Array<[number, number]>
  signedVector?: SignedVector
}

/** Builds and signs a record from an input; the vector is added by the caller. */
export async function makeRecord (input: RememberInput, community: string, seq: number, key: PrivateKey, version: VersionInit = {}): Promise<Omit<MemoryRecord, 'vector'>> {
  const origin = originOf(key)
  const createdAt = input.createdAt ?? Date.now()
  const base: Omit<MemoryRecord, 'vector' | 'signature'> = {
    id: input.id ?? ulid(createdAt),
    community,
    kind: input.kind ?? DEFAULT_KIND,
    agent: input.agent ?? `user@${origin}`,
    origin,
    seq,
    text: input.text,
    metadata: input.metadata ?? {},
    createdAt,
    ...((version.covers ?? []).length > 0 ? { covers: version.covers } : {}),
    ...(version.signedVector == null ? {} : { signedVector: version.signedVector })
  }
  return { ...base, signature: await signWith(key, recordSigningBytes(base)) }
}

/**
 * Builds and signs the tombstone of one of this node's records: a new version with the
 * next seq, `deleted` set, text and metadata emptied, covering every earlier version.
 */
export async function makeTombstone (record: Omit<MemoryRecord, 'vector'>, seq: number, key: PrivateKey, covers: Array<[number, number]>): Promise<Omit<MemoryRecord, 'vector'>> {
  const base: Omit<MemoryRecord, 'vector' | 'signature'> = {
    id: record.id,
    community: record.community,
    kind: record.kind,
    agent: record.agent,
    origin: record.origin,
    seq,
    text: '',
    metadata: {},
    createdAt: Date.now(),
    deleted: true,
    covers
  }
  return { ...base, signature: await signWith(key, recordSigningBytes(base)) }
}
