import { STOPWORDS } from '../../text/terms.js'
import { CONCEPTS } from './concepts.js'
import type { Embedder } from './types.js'

const SUFFIXES = ['ations', 'ation', 'ments', 'ment', 'ings', 'ing', 'ers', 'er', 'ies', 'ied', 'es', 'ed', 'ly', 's']

/** A light suffix stripper: deploying/deployed/deploys -> deploy. */
export function stem (word: string): string {
  for (const suffix of SUFFIXES) {
    if (word.length - suffix.length >= 4 && word.endsWith(suffix)) return word.slice(0, -suffix.length)
  }
  return word
}

const CONCEPT_OF = new Map<string, number>()
CONCEPTS.forEach((group, i) => { for (const word of group) if (!CONCEPT_OF.has(word)) CONCEPT_OF.set(word, i) })

/** FNV-1a, 32 bits. */
function hash (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function words (text: string): string[] {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().match(/[a-z0-9_]+/g) ?? []
}

/** Options of the lexical embedder. */
export interface LexicalOptions {
  /** Vector size (default 1024: fewer hash collisions than 384 or 768, measured on bench:memory). */
  dimension?: number
  /**
   * Also hash the hand-made developer-support concept groups (the embedder of release
   * 0.1, named `local-hash-v2`). Off by default: they were drawn from the demo's own
   * domains and do not help on questions written apart from them (bench:memory).
   */
  concepts?: boolean
}

/**
 * The embedder used when no neural model is installed: signed feature hashing of
 * words, word stems and character 4-grams into a fixed-size, L2-normalised vector.
 * It matches words and their forms, not meaning: "hangs" and "crashes" are far apart,
 * "hangs" and "never finishes" too. Deterministic, no downloads, no model to load.
 *
 * @example
 * ```ts
 * const embedder = new LexicalEmbedder()
 * const [a, b] = await embedder.embed(['my asyncio task hangs', 'asyncio tasks hanging'])
 * ```
 */
export class LexicalEmbedder implements Embedder {
  readonly name: string
  readonly dimension: number
  private readonly concepts: boolean

  constructor (options: LexicalOptions | number = {}) {
    const o = typeof options === 'number' ? { dimension: options } : options
    this.dimension = o.dimension ?? 1024
    this.concepts = o.concepts ?? false
    this.name = this.concepts ? 'local-hash-v2' : 'lexical-v1'
  }

  async embed (texts: string[]): Promise<number[][]> {
    return texts.map(t => this.embedOne(t))
  }

  embedOne (text: string): number[] {
    const v = new Float64Array(this.dimension)
    const add = (feature: string, weight: number): void => {
      const h = hash(feature)
      v[h % this.dimension] = (v[h % this.dimension] ?? 0) + ((h & 0x80000000) !== 0 ? -weight : weight)
    }
    const all = words(text)
    const content = all.filter(w => !STOPWORDS.has(w))
    const used = content.length > 0 ? content : all
    for (const word of used) {
      add(`w:${word}`, 1)
      const s = stem(word)
      add(`s:${s}`, 1)
      // weights chosen on bench:memory: concept groups help a little, more hurts (they are broad)
      const concept = this.concepts ? CONCEPT_OF.get(word) ?? CONCEPT_OF.get(s) : undefined
      if (concept != null) add(`c:${concept}`, 0.6)
      const padded = `#${word}#`
      const grams = Math.max(1, padded.length - 3)
      for (let i = 0; i + 4 <= padded.length; i++) add(`g:${padded.slice(i, i + 4)}`, 1 / Math.sqrt(grams))
    }
    let norm = 0
    for (const x of v) norm += x * x
    norm = Math.sqrt(norm)
    return Array.from(v, x => (norm === 0 ? 0 : x / norm))
  }
}

// the lexical embedder's earlier name
export { LexicalEmbedder as LocalEmbedder }
