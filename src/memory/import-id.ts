import { createHash } from 'node:crypto'
import { DEFAULT_KIND } from './record.js'

/**
 * The id `memory import` gives a line that names none: `imp-` and a hash of the
 * community, the kind (default `expert_knowledge`), the text and `metadata.source` when
 * the line has one. Importing the same line again names the same record, which this
 * node then already holds: nothing is written twice. Other metadata is not part of the
 * id, so a line imported again with changed metadata updates its record.
 *
 * @example
 * ```ts
 * importId('devsupport', { text: 'Set ef >= k', kind: 'expert_knowledge', metadata: { source: 'hnsw.md' } })
 * // 'imp-3f1c...' (32 hex digits)
 * ```
 */
export function importId (community: string, line: { text: string, kind?: string, metadata?: Record<string, unknown> }): string {
  const source = line.metadata?.source
  const parts = [community, line.kind ?? DEFAULT_KIND, line.text, source ?? null]
  return `imp-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`
}
