import { describe, expect, it } from 'vitest'
import { MAX_CARD_EXAMPLES, MAX_EXAMPLE_CHARS, checkCards } from '../../src/discovery/card-check.js'
import { cardFromWire, cardToWire } from '../../src/discovery/cards-protocol.js'
import { AgentCard as AgentCardPb } from '../../src/wire/generated/agents.js'
import type { AgentCard } from '../../src/discovery/card.js'

const PEER = '12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X'

function card (name: string, examples: string[]): AgentCard {
  return { name, id: `${name}@${PEER}`, description: 'Answers Python questions', community: 'devsupport', capabilities: ['python'], channels: ['general'], peerId: PEER, multiaddrs: [], protocolVersion: '1', kind: 'expert', examples }
}

describe('agent cards with example questions', () => {
  it('carries the examples over the wire as they were announced', () => {
    const examples = ['Why does my asyncio task hang?', 'How do I pin a dependency with pip?']
    const back = cardFromWire(AgentCardPb.decode(AgentCardPb.encode(cardToWire(card('python_expert', examples)))))
    expect(back.examples).toEqual(examples)
  })

  it('refuses, and counts, a card with too many or too long examples; the others of the peer are kept', () => {
    const { accepted, refused } = checkCards(PEER, [
      card('fine', ['one question']),
      card('many', Array.from({ length: MAX_CARD_EXAMPLES + 1 }, (_, i) => `question ${i}`)),
      card('long', ['x'.repeat(MAX_EXAMPLE_CHARS + 1)])
    ], 64)
    expect(accepted.map(c => c.name)).toEqual(['fine'])
    expect(refused).toEqual({ card_invalid: 2 })
  })
})
