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
   * Also hash the hand-made developer-support concept groups (default true). They were
   * drawn from the demo's domains; on questions written apart from the knowledge they
   * still add a little (held-out recall@1 0.601 against 0.586 hybrid, bench:memory),
   * so they stay. Without them the embedder is `lexical-v2-words`.
   */
  concepts?: boolean
}

/**
 * The embedder used when no neural model is installed: signed feature hashing of
 * words, word stems, character 4-grams and developer-support concept groups into a
 * fixed-size, L2-normalised vector (`lexical-v2`: the vectors release 0.1 called
 * `local-hash-v2`).
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
    this.concepts = o.concepts ?? true
    this.name = this.concepts ? 'lexical-v2' : 'lexical-v2-words'
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

/** Embedders of release 0.1 whose vectors are those of an embedder of now, by its name. */
const SAME_VECTORS: Record<string, string> = { 'local-hash-v2': 'lexical-v2' }

/**
 * Whether vectors recorded under embedder `held` are those `current` makes: the same
 * name, or a name of release 0.1 for the same vectors (`local-hash-v2` is `lexical-v2`).
 *
 * @example
 * ```ts
 * sameVectors('local-hash-v2', 'lexical-v2')   // true
 * sameVectors('lexical-v2', 'all-minilm-l6-v2@8199be6f699a')   // false
 * ```
 */
export function sameVectors (held: string, current: string): boolean {
  return (SAME_VECTORS[held] ?? held) === (SAME_VECTORS[current] ?? current)
}
