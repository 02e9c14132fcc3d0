import { describe, expect, it } from 'vitest'
import { formatSearchHits } from '../../src/cli/memory-search-output.js'
import type { MemoryHit } from '../../src/memory/hit.js'

const ALICE = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const BOB = '12D3KooWHkFGz8UaNXTtFQnwQy5ctJHxZ3k2rGqgE9Xaf3bRmT7n'

function hit (id: string, origin: string, overrides: Partial<MemoryHit> = {}): MemoryHit {
  return { id, community: 'devsupport', kind: 'expert_knowledge', text: `text of ${id}`, score: 0.37, scoreKind: 'similarity', metadata: {}, agent: `user@${origin}`, origin, seq: 1, createdAt: 1, ...overrides }
}

describe('the output of oa-node memory search', () => {
  it('names who wrote each hit: the agent at its origin peer, shortened', () => {
    expect(formatSearchHits([hit('vdb-002', ALICE), hit('vdb-002', BOB, { agent: `expert@${BOB}`, score: 0.21 })])).toBe([
      '1. [expert_knowledge] similarity 0.37  vdb-002  by user@…CVe2Xo',
      '   text of vdb-002',
      '2. [expert_knowledge] similarity 0.21  vdb-002  by expert@…bRmT7n',
      '   text of vdb-002'
    ].join('\n'))
  })

  it('shows the origin peer, the node that signed the record, whatever peer the agent id names', () => {
    expect(formatSearchHits([hit('r1', BOB, { agent: `user@${ALICE}` })])).toMatch(/^1\. .* r1 {2}by user@…bRmT7n\n/)
    expect(formatSearchHits([hit('r2', ALICE, { agent: '' })])).toMatch(/^1\. .* r2 {2}by …CVe2Xo\n/)
  })

  it('cuts a long text, and says so when nothing matched', () => {
    const lines = formatSearchHits([hit('long', ALICE, { text: 'x'.repeat(400) })]).split('\n')
    expect(lines[1]).toBe(`   ${'x'.repeat(299)}…`)
    expect(formatSearchHits([])).toBe('no matching records')
  })
})
