import { checkFilter } from '../../filter.js'
import type { MemoryFilter } from '../../types.js'
import type { SQLInputValue } from 'node:sqlite'

/** A WHERE clause with `?` placeholders and the values bound to them. */
export interface Where {
  sql: string
  params: SQLInputValue[]
}

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ')

/**
 * The WHERE clause of the SQLite store for a filter, over the columns of `records`
 * (prefixed with `alias.` when given). Every value is a bound parameter, so no value
 * can widen the filter.
 *
 * @example
 * ```ts
 * sqliteWhere({ communities: ['devsupport'], kinds: ['expert_knowledge'] })
 * // { sql: 'community IN (?) AND kind IN (?)', params: ['devsupport', 'expert_knowledge'] }
 * ```
 */
export function sqliteWhere (filter: MemoryFilter, alias = ''): Where {
  checkFilter(filter)
  const col = (name: string): string => `${alias === '' ? '' : `${alias}.`}${name}`
  const parts = [`${col('community')} IN (${marks(filter.communities.length)})`]
  const params: SQLInputValue[] = [...filter.communities]
  if (filter.kinds != null && filter.kinds.length > 0) {
    parts.push(`${col('kind')} IN (${marks(filter.kinds.length)})`)
    params.push(...filter.kinds)
  }
  if (filter.excludeKinds != null && filter.excludeKinds.length > 0) {
    parts.push(`${col('kind')} NOT IN (${marks(filter.excludeKinds.length)})`)
    params.push(...filter.excludeKinds)
  }
  if (filter.agent != null) {
    parts.push(`${col('agent')} = ?`)
    params.push(filter.agent)
  }
  if (filter.since != null) {
    parts.push(`${col('created_at')} >= ?`)
    params.push(Math.trunc(filter.since))
  }
  if (filter.until != null) {
    parts.push(`${col('created_at')} < ?`)
    params.push(Math.trunc(filter.until))
  }
  if (filter.ids != null) {
    if (filter.ids.length === 0) parts.push('0')
    else {
      parts.push(`${col('id')} IN (${marks(filter.ids.length)})`)
      params.push(...filter.ids)
    }
  }
  return { sql: parts.join(' AND '), params }
}
