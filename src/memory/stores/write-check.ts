import { MemoryInputError } from '../errors.js'
import type { MemoryRecord } from '../types.js'

/**
 * The first record whose vector is not `dimension`-dimensional, as the error a store
 * refuses the write with; undefined when every vector fits.
 *
 * @example
 * ```ts
 * const bad = wrongDimension(records, 384)
 * if (bad != null) throw bad
 * ```
 */
export function wrongDimension (records: MemoryRecord[], dimension: number): MemoryInputError | undefined {
  const r = records.find(r => r.vector.length !== dimension)
  return r == null ? undefined : new MemoryInputError('bad_dimension', `record ${r.id} has a ${r.vector.length}-dimensional vector; this store holds ${dimension}`)
}
