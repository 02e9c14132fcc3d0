import { AGENT_NAME } from '../events/types.js'
import type { AgentCard } from './card.js'
import type { LimitReason } from '../limits/refusals.js'

/** Most capabilities a card may list (the config allows as many per agent). */
export const MAX_CARD_CAPABILITIES = 64
/** Example questions a card may carry, and their length: a longer list or text makes the card invalid. */
export const MAX_CARD_EXAMPLES = 16
export const MAX_EXAMPLE_CHARS = 300

/** The cards a peer served that this node accepts, and how many it refused, by reason. */
export interface CheckedCards {
  accepted: AgentCard[]
  refused: Partial<Record<LimitReason, number>>
}

/**
 * Keeps the cards `owner` may serve: a card is its own node's word, so it must name that
 * node (`peerId` and `id` = `<name>@<owner>`), since the stream it came over is
 * authenticated as `owner`; a card naming another node is a forgery and refused. Past
 * `perPeer` cards, or with more than MAX_CARD_CAPABILITIES capabilities, cards are
 * refused too (and a card with a bad or repeated name): what one peer can make this node cache and act on is bounded.
 *
 * @example
 * ```ts
 * const { accepted, refused } = checkCards('12D3KooW...', cards, 64)
 * if (refused.card_foreign != null) console.log(`${refused.card_foreign} forged cards`)
 * ```
 */
export function checkCards (owner: string, cards: AgentCard[], perPeer: number): CheckedCards {
  const accepted: AgentCard[] = []
  const refused: Partial<Record<LimitReason, number>> = {}
  const refuse = (reason: LimitReason): void => { refused[reason] = (refused[reason] ?? 0) + 1 }
  const names = new Set<string>()
  for (const card of cards) {
    if (card.peerId !== owner || card.id !== `${card.name}@${owner}`) refuse('card_foreign')
    else if (!AGENT_NAME.test(card.name) || names.has(card.name)) refuse('card_invalid')
    else if (card.capabilities.length > MAX_CARD_CAPABILITIES) refuse('card_capabilities')
    else if (card.examples.length > MAX_CARD_EXAMPLES || card.examples.some(e => e.length > MAX_EXAMPLE_CHARS)) refuse('card_invalid')
    else if (accepted.length >= perPeer) refuse('card_peer')
    else {
      names.add(card.name)
      accepted.push(card)
    }
  }
  return { accepted, refused }
}
