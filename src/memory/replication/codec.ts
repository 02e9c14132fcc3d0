import { MemoryRecordWire } from '../../wire/generated/memory.js'
import type { CommunitySealer } from '../../communities/access.js'
import type { StoredRecord } from '../types.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * A record as it travels. In a private community (`sealer` given) its text and metadata
 * are sealed with the community's current key, bound to the record's origin and id.
 */
export function toWire (r: StoredRecord, sealer?: CommunitySealer): MemoryRecordWire {
  const wire: MemoryRecordWire = {
    id: r.id,
    community: r.community,
    kind: r.kind,
    agent: r.agent,
    origin: r.origin,
    seq: BigInt(r.seq),
    text: r.text,
    metadata: JSON.stringify(r.metadata),
    createdAt: BigInt(r.createdAt),
    signature: Uint8Array.from(r.signature),
    deleted: r.deleted === true,
    covers: (r.covers ?? []).map(([first, last]) => ({ first: BigInt(first), last: BigInt(last) })),
    epoch: 0,
    sealed: new Uint8Array(0)
  }
  if (sealer == null) return wire
  const { epoch, bytes } = sealer.seal(aadOf(wire), encoder.encode(JSON.stringify([wire.text, wire.metadata])))
  // sealed, a record names its community by the wire name only
  return { ...wire, community: sealer.wireName, text: '', metadata: '', epoch, sealed: Uint8Array.from(bytes) }
}

function aadOf (w: MemoryRecordWire): string {
  return `mem|${w.origin}|${w.id}|${w.seq}`
}

/**
 * A wire record as a stored record; opens a sealed one with `sealer`. Throws a
 * TypeError on malformed metadata, and a `SealedRecordError` when a record is sealed
 * where it should not be, clear where it should be sealed, or does not open.
 */
export function fromWire (w: MemoryRecordWire, sealer?: CommunitySealer): StoredRecord {
  let text = w.text
  let meta = w.metadata
  let community = w.community
  if (sealer == null && w.epoch !== 0) throw new SealedRecordError(`record ${w.id.slice(0, 64)} is sealed, but its community's records travel in the clear`)
  if (sealer != null) {
    if (w.epoch === 0) throw new SealedRecordError(`record ${w.id.slice(0, 64)} of a private community is not sealed`)
    if (w.community !== sealer.wireName) throw new SealedRecordError(`record ${w.id.slice(0, 64)} names another community than its topic or request`)
    community = sealer.name
    try {
      const parts = JSON.parse(decoder.decode(sealer.open(aadOf(w), w.epoch, w.sealed))) as unknown
      if (!Array.isArray(parts) || typeof parts[0] !== 'string' || typeof parts[1] !== 'string') throw new Error('sealed content is malformed')
      text = parts[0]
      meta = parts[1]
    } catch (err) {
      throw new SealedRecordError(`record ${w.id.slice(0, 64)} does not open: ${(err as Error).message}`)
    }
  }
  const metadata = JSON.parse(meta === '' ? '{}' : meta) as unknown
  if (metadata == null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError('metadata is not a JSON object')
  return {
    id: w.id,
    community,
    kind: w.kind,
    agent: w.agent,
    origin: w.origin,
    seq: Number(w.seq),
    text,
    metadata: metadata as Record<string, unknown>,
    createdAt: Number(w.createdAt),
    signature: Uint8Array.from(w.signature),
    ...(w.deleted ? { deleted: true } : {}),
    ...(w.covers.length > 0 ? { covers: w.covers.map(c => [Number(c.first), Number(c.last)] as [number, number]) } : {})
  }
}

/** A replicated record is sealed where it must not be, or the reverse, or does not open. */
export class SealedRecordError extends Error {
  override readonly name = 'SealedRecordError'
}
