import { MemoryInputError } from './errors.js'
import type { MemoryFilter } from './types.js'

/** Kinds are lowercase words with `_`: `expert_knowledge`, `tool_output`. */
export const KIND = /^[a-z][a-z0-9_]{0,63}$/

function noNul (value: string): string {
  if (value.includes('\u0000')) throw new MemoryInputError('bad_filter', 'filter values may not contain NUL')
  return value
}

/**
 * A Milvus expression string literal: double quotes, with backslash and double quote
 * escaped by a backslash.
 *
 * @example
 * ```ts
 * milvusQuote('x" or community != "y')   // '"x\\" or community != \\"y"'
 * ```
 */
export function milvusQuote (value: string): string {
  return `"${noNul(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/** Checks a filter's parts; throws MemoryInputError naming the bad one. */
export function checkFilter (filter: MemoryFilter): void {
  if (filter.communities.length === 0) throw new MemoryInputError('bad_filter', 'a memory query needs at least one community')
  for (const kind of [...filter.kinds ?? [], ...filter.excludeKinds ?? []]) if (!KIND.test(kind)) throw new MemoryInputError('bad_kind', `"${kind}" is not a kind (lowercase letters, digits and "_", e.g. expert_knowledge)`)
  for (const value of [filter.since, filter.until]) if (value != null && !Number.isFinite(value)) throw new MemoryInputError('bad_filter', 'since/until must be times in ms')
}
