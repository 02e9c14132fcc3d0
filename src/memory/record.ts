import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { ulid } from 'ulid'
import { MemoryInputError } from './errors.js'
import { KIND } from './filter.js'
import type { MemoryRecord } from './types.js'
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

/** The bytes a record's signature covers: every field but vector and signature, in a fixed order. */
export function recordSigningBytes (r: Omit<MemoryRecord, 'vector' | 'signature'>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(['oa/1/memory', r.id, r.community, r.kind, r.agent, r.origin, r.seq, r.text, r.metadata, r.createdAt]))
}

/** Verifies a record's signature against its origin's key. */
export async function verifyRecord (r: Omit<MemoryRecord, 'vector'>): Promise<boolean> {
  try {
    const key = peerIdFromString(r.origin).publicKey
    return key == null ? false : await key.verify(recordSigningBytes(r), r.signature)
  } catch {
    return false
  }
}

/** Builds and signs a record from an input; the vector is added by the caller. */
export async function makeRecord (input: RememberInput, community: string, seq: number, key: PrivateKey): Promise<Omit<MemoryRecord, 'vector'>> {
  const origin = peerIdFromPrivateKey(key).toString()
  const createdAt = input.createdAt ?? Date.now()
  const base = {
    id: input.id ?? ulid(createdAt),
    community,
    kind: input.kind ?? DEFAULT_KIND,
    agent: input.agent ?? `user@${origin}`,
    origin,
    seq,
    text: input.text,
    metadata: input.metadata ?? {},
    createdAt
  }
  return { ...base, signature: Uint8Array.from(await key.sign(recordSigningBytes(base))) }
}
