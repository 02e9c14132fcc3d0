import { MemoryRecordWire } from '../../wire/generated/memory.js'
import type { StoredRecord } from '../service.js'

export function toWire (r: StoredRecord): MemoryRecordWire {
  return {
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
    covers: (r.covers ?? []).map(([first, last]) => ({ first: BigInt(first), last: BigInt(last) }))
  }
}

/** A wire record as a stored record; throws on malformed metadata. */
export function fromWire (w: MemoryRecordWire): StoredRecord {
  const metadata = JSON.parse(w.metadata === '' ? '{}' : w.metadata) as unknown
  if (metadata == null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError('metadata is not a JSON object')
  return {
    id: w.id,
    community: w.community,
    kind: w.kind,
    agent: w.agent,
    origin: w.origin,
    seq: Number(w.seq),
    text: w.text,
    metadata: metadata as Record<string, unknown>,
    createdAt: Number(w.createdAt),
    signature: Uint8Array.from(w.signature),
    ...(w.deleted ? { deleted: true } : {}),
    ...(w.covers.length > 0 ? { covers: w.covers.map(c => [Number(c.first), Number(c.last)] as [number, number]) } : {})
  }
}
