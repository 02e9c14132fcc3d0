import { scoreLabel } from '../memory/hit.js'
import { shortPeer } from './format.js'
import type { MemoryHit } from '../memory/hit.js'

/** Characters of a hit's text `memory search` prints. */
const TEXT_CHARS = 300

/**
 * Who wrote a hit: the writing agent's name at its origin node, shortened as the CLI
 * shows peers (the origin is the node whose key signed the record).
 */
function author (hit: MemoryHit): string {
  const at = hit.agent.lastIndexOf('@')
  const name = at < 0 ? hit.agent : hit.agent.slice(0, at)
  return name === '' ? shortPeer(hit.origin) : `${name}@${shortPeer(hit.origin)}`
}

/**
 * The text `oa-node memory search` prints: per hit its rank, kind, score, id and
 * author (agent name at its origin peer), then the start of its text.
 *
 * @example
 * ```ts
 * formatSearchHits([hit])
 * // 1. [expert_knowledge] similarity 0.37  vdb-002  by user@…CVe2Xo
 * //    Choose M between 12 and 48 ...
 * ```
 */
export function formatSearchHits (hits: readonly MemoryHit[]): string {
  if (hits.length === 0) return 'no matching records'
  return hits.map((hit, i) => {
    const text = hit.text.length > TEXT_CHARS ? `${hit.text.slice(0, TEXT_CHARS - 1)}…` : hit.text
    return `${i + 1}. [${hit.kind}] ${scoreLabel(hit)}  ${hit.id}  by ${author(hit)}\n   ${text}`
  }).join('\n')
}
