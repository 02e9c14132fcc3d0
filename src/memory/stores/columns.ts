import type { MemoryRecord, StoredRecord } from '../types.js'

/**
 * A record in the columns both stores keep it in (the vector aside): `created_at` in
 * snake case, `covers` as JSON text (empty when it covers nothing), `deleted` always
 * set. Each store encodes seq, metadata and signature its own way on top of this.
 */
export interface RecordColumns {
  id: string
  community: string
  kind: string
  agent: string
  origin: string
  seq: number
  text: string
  metadata: Record<string, unknown>
  created_at: number
  signature: Uint8Array
  deleted: boolean
  covers: string
}

/** What a store reads back, before its own decoding: numbers may be bigints, optional columns null. */
export interface ReadColumns {
  id: string
  community: string
  kind: string
  agent: string
  origin: string
  seq: number | bigint
  text: string
  metadata: Record<string, unknown>
  created_at: number | bigint
  signature: Uint8Array
  deleted?: boolean | null
  covers?: string | null
}

/**
 * A record as columns.
 *
 * @example
 * ```ts
 * toColumns(record).covers   // '[[1,3]]', or '' when it covers nothing
 * ```
 */
export function toColumns (r: StoredRecord | MemoryRecord): RecordColumns {
  return {
    id: r.id,
    community: r.community,
    kind: r.kind,
    agent: r.agent,
    origin: r.origin,
    seq: r.seq,
    text: r.text,
    metadata: r.metadata,
    created_at: r.createdAt,
    signature: r.signature,
    deleted: r.deleted === true,
    covers: (r.covers ?? []).length > 0 ? JSON.stringify(r.covers) : ''
  }
}

/**
 * Columns read back as a record (without vector).
 *
 * @example
 * ```ts
 * fromColumns({ ...toColumns(record), seq: 3n }).seq   // 3
 * ```
 */
export function fromColumns (c: ReadColumns): StoredRecord {
  const covers = decodeCovers(c.covers)
  return {
    id: c.id,
    community: c.community,
    kind: c.kind,
    agent: c.agent,
    origin: c.origin,
    seq: Number(c.seq),
    text: c.text,
    metadata: c.metadata,
    createdAt: Number(c.created_at),
    signature: Uint8Array.from(c.signature),
    ...(c.deleted === true ? { deleted: true } : {}),
    ...(covers == null ? {} : { covers })
  }
}

/** The covered seq ranges of a `covers` column; undefined when empty or unreadable. */
export function decodeCovers (text: string | null | undefined): Array<[number, number]> | undefined {
  if (text == null || text === '') return undefined
  try {
    const value = JSON.parse(text) as unknown
    return Array.isArray(value) && value.length > 0 ? value as Array<[number, number]> : undefined
  } catch {
    return undefined
  }
}

/** A metadata column kept as JSON text; `{}` when it is not a JSON object. */
export function decodeMetadata (text: unknown): Record<string, unknown> {
  if (text != null && typeof text === 'object' && !Array.isArray(text)) return text as Record<string, unknown>
  if (typeof text !== 'string') return {}
  try {
    const value = JSON.parse(text) as unknown
    return value != null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {}
  } catch {
    return {}
  }
}
