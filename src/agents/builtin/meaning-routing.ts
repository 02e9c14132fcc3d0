import { createHash } from 'node:crypto'
import { cosine } from '../../memory/similarity.js'
import { terms, termsMatch } from '../../text/terms.js'
import type { DiscoveredAgent } from '../../discovery/card.js'

/** How experts are chosen by meaning. */
export interface MeaningRouteSettings {
  /** An expert is asked only when the question's similarity to its card reaches this. */
  floor: number
  /** ...and is within this much of the best expert's (a clear best is asked alone). */
  margin: number
  /** Most experts asked. */
  maxExperts: number
}

/**
 * The settings chosen on the development split of scripts/bench/data/routing.jsonl, per
 * kind of embedder (cosines of a neural model and of word hashing are not on one scale).
 * bench:memory reports the routing accuracy they give on the held-out split.
 */
export const MEANING_ROUTE_DEFAULTS: Record<'neural' | 'lexical', Omit<MeaningRouteSettings, 'maxExperts'>> = {
  neural: { floor: 0.2, margin: 0.18 },
  lexical: { floor: 0.08, margin: 0.06 }
}

/** Full trust (the most trusted agent for a capability the question names) adds this to an expert's similarity when experts are ordered. */
export const MEANING_TRUST_WEIGHT = 0.05

/** Why an expert was chosen by meaning. */
export interface MeaningRouting {
  expert: string
  id: string
  /** `similarity + MEANING_TRUST_WEIGHT × trust`: what experts are ordered by. */
  score: number
  /** The question's similarity to the card: the mean of its two closest texts (description, capabilities, example questions). */
  similarity: number
  /** The capabilities the question names (tags of its forum topic), which trust is looked up for. */
  matched: string[]
  /** The expert's trust for those capabilities (the highest, 0 to 1); 0 without the social mod. */
  trust: number
  online: boolean
}

/** An agent's trust for a capability, 0 to 1 (1: the most trusted for it). */
export type MeaningTrustLookup = (agentId: string, capability: string) => number

/**
 * The texts of a card that a question is compared with: its description, its
 * capabilities as one line, and each of its example questions.
 *
 * @example
 * ```ts
 * cardTexts(card)   // ['Answers Python questions...', 'python, asyncio, ...', 'Why does my coroutine hang?']
 * ```
 */
export function cardTexts (card: Pick<DiscoveredAgent, 'description' | 'capabilities' | 'examples'>): string[] {
  return [card.description, card.capabilities.join(', '), ...card.examples].map(t => t.trim()).filter(t => t !== '')
}


/** Card texts embedded for one question at most: a peer that keeps changing its cards cannot make every question embed thousands of texts. */
const MAX_NEW_TEXTS = 512

/**
 * The vectors of agent cards, embedded once per card content (a card that changes is
 * embedded again) and kept for the 256 cards used last. At most MAX_NEW_TEXTS texts
 * are embedded per call; cards past that are left out of this question's ranking.
 *
 * @example
 * ```ts
 * const cards = new CardVectors(async texts => memory.embed(texts))
 * const ranked = rankByMeaning((await memory.embed([question]))[0] ?? [], question, experts, await cards.of(experts), settings)
 * ```
 */
export class CardVectors {
  private readonly embed: (texts: string[]) => Promise<number[][]>
  private readonly cache = new Map<string, number[][]>()
  private embedder?: string

  constructor (embed: (texts: string[]) => Promise<number[][]>) {
    this.embed = embed
  }

  /** The vectors of each card's texts, by agent id; `embedder` names the embedder, and a new one empties the cache. */
  async of (cards: readonly DiscoveredAgent[], embedder?: string): Promise<Map<string, number[][]>> {
    if (embedder !== this.embedder) {
      this.cache.clear()
      this.embedder = embedder
    }
    const keyed = cards.map(card => {
      const texts = cardTexts(card)
      return { card, texts, key: `${card.id}\n${createHash('sha256').update(JSON.stringify(texts)).digest('hex')}` }
    })
    const result = new Map<string, number[][]>()
    const missing: typeof keyed = []
    let budget = MAX_NEW_TEXTS
    for (const k of keyed) {
      const held = this.cache.get(k.key)
      if (held != null) {
        // used now: the last to be dropped
        this.cache.delete(k.key)
        this.cache.set(k.key, held)
        result.set(k.card.id, held)
      } else if (k.texts.length <= budget) {
        budget -= k.texts.length
        missing.push(k)
      }
    }
    if (missing.length > 0) {
      const vectors = await this.embed(missing.flatMap(m => m.texts))
      let at = 0
      for (const m of missing) {
        const v = vectors.slice(at, at + m.texts.length)
        at += m.texts.length
        this.cache.set(m.key, v)
        result.set(m.card.id, v)
      }
    }
    // least recently used first; the cards of this call were just used
    while (this.cache.size > Math.max(256, keyed.length)) {
      const oldest = this.cache.keys().next().value
      if (oldest == null) break
      this.cache.delete(oldest)
    }
    return result
  }
}

/**
 * Chooses the experts to ask, by the meaning of the question: each card's similarity is
 * the mean of the two highest cosines between the question and the card's texts; experts
 * at or above `floor` and within `margin` of the best are asked, best first, at most
 * `maxExperts`. Trust (when `trust` is given) orders experts of near-equal similarity;
 * it never makes an expert pass the floor. An empty list means no expert fits.
 *
 * @example
 * ```ts
 * rankByMeaning(questionVector, question, experts, vectorsById, { floor: 0.2, margin: 0.18, maxExperts: 3 })
 * // [{ expert: 'devops_expert', similarity: 0.46, ... }, { expert: 'python_expert', similarity: 0.33, ... }]
 * ```
 */
export function rankByMeaning (question: readonly number[], questionText: string, experts: readonly DiscoveredAgent[], vectors: ReadonlyMap<string, number[][]>, settings: MeaningRouteSettings, trust?: MeaningTrustLookup): MeaningRouting[] {
  const words = terms(questionText)
  const q = [...question]
  const scored = experts.map((card) => {
    const cosines = (vectors.get(card.id) ?? []).map(v => cosine(q, v)).sort((a, b) => b - a)
    const similarity = cosines.length === 0 ? 0 : cosines.length === 1 ? (cosines[0] ?? 0) : ((cosines[0] ?? 0) + (cosines[1] ?? 0)) / 2
    const matched = card.capabilities.filter(c => { const w = terms(c); return w.length > 0 && w.every(x => words.some(q => termsMatch(q, x))) })
    const trusted = Math.max(0, ...matched.map(c => Math.min(1, Math.max(0, trust?.(card.id, c) ?? 0))))
    return { expert: card.name, id: card.id, score: similarity + MEANING_TRUST_WEIGHT * trusted, similarity, matched, trust: trusted, online: card.online }
  })
  const best = Math.max(-1, ...scored.map(s => s.similarity))
  return scored
    .filter(s => s.similarity >= settings.floor && s.similarity >= best - settings.margin)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, settings.maxExperts)
}
