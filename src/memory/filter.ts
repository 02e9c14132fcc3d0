import { MemoryInputError } from './errors.js'
import type { MemoryFilter } from './types.js'

/** Kinds are lowercase words with `_`: `expert_knowledge`, `tool_output`. */
export const KIND = /^[a-z][a-z0-9_]{0,63}$/

function noNul (value: string): string {
  if (value.includes('\u0000')) throw new MemoryInputError('bad_filter', 'filter values may not contain NUL')
  return value
}

/**
 * A SQL string literal for LanceDB (DataFusion): single quotes, a quote inside doubled.
 * Backslashes are plain characters in SQL literals, so they stay as they are.
 *
 * @example
 * ```ts
 * sqlQuote("x' OR community != 'y")   // "'x'' OR community != ''y'"
 * ```
 */
export function sqlQuote (value: string): string {
  return `'${noNul(value).replace(/'/g, '\'\'')}'`
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

/**
 * The WHERE clause of a LanceDB query for a filter. Values are quoted with `quote`, so
 * `x' OR community != 'y` stays one literal and cannot widen the filter.
 *
 * @example
 * ```ts
 * lanceWhere({ communities: ['devsupport'], kinds: ['expert_knowledge'] })
 * // "community IN ('devsupport') AND kind IN ('expert_knowledge')"
 * lanceWhere({ communities: ['devsupport'], excludeKinds: ['channel_message'] })
 * // "community IN ('devsupport') AND kind NOT IN ('channel_message')"
 * ```
 */
export function lanceWhere (filter: MemoryFilter): string {
  checkFilter(filter)
  const parts = [`community IN (${filter.communities.map(c => sqlQuote(c)).join(', ')})`]
  if (filter.kinds != null && filter.kinds.length > 0) parts.push(`kind IN (${filter.kinds.map(k => sqlQuote(k)).join(', ')})`)
  if (filter.excludeKinds != null && filter.excludeKinds.length > 0) parts.push(`kind NOT IN (${filter.excludeKinds.map(k => sqlQuote(k)).join(', ')})`)
  if (filter.agent != null) parts.push(`agent = ${sqlQuote(filter.agent)}`)
  if (filter.since != null) parts.push(`created_at >= ${Math.trunc(filter.since)}`)
  if (filter.until != null) parts.push(`created_at < ${Math.trunc(filter.until)}`)
  if (filter.ids != null) parts.push(filter.ids.length === 0 ? 'false' : `id IN (${filter.ids.map(i => sqlQuote(i)).join(', ')})`)
  return parts.join(' AND ')
}
