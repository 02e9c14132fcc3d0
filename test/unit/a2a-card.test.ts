import { describe, expect, it } from 'vitest'
import { toA2ACard } from '../../src/discovery/index.js'
import { VERSION } from '../../src/version.js'
import type { AgentCard } from '../../src/discovery/index.js'

describe('toA2ACard', () => {
  it('maps an agent card onto the A2A Agent Card shape documented in docs/agents.md', () => {
    const peerId = '12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X'
    const card: AgentCard = { name: 'python_expert', id: `python_expert@${peerId}`, description: 'Answers Python questions', community: 'devsupport', capabilities: ['python', 'asyncio'], channels: ['general'], peerId, multiaddrs: [], protocolVersion: '1', kind: 'expert', examples: [] }
    const a2a = toA2ACard(card)
    expect(a2a).toMatchObject({ name: 'python_expert', description: 'Answers Python questions', url: `libp2p://${peerId}/python_expert`, preferredTransport: 'libp2p:/oa/direct/1.0.0', version: VERSION })
    expect(a2a.skills).toEqual([
      { id: 'python', name: 'python', description: 'python_expert answers python questions in devsupport', tags: ['python', 'devsupport', 'expert'] },
      { id: 'asyncio', name: 'asyncio', description: 'python_expert answers asyncio questions in devsupport', tags: ['asyncio', 'devsupport', 'expert'] }
    ])
  })
})
