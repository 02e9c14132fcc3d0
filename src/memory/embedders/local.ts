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

/**
 * The offline default embedder: signed feature hashing of words, word stems,
 * character 4-grams and developer-support concept groups into a fixed-size,
 * L2-normalised vector. Deterministic, no downloads, no model to load.
 *
 * @example
 * ```ts
 * const embedder = new LocalEmbedder()
 * const [a, b] = await embedder.embed(['my asyncio task hangs', 'coroutine stuck forever'])
 * ```
 */
export class LocalEmbedder implements Embedder {
  readonly name = 'local-hash-v2'
  readonly dimension: number

  /** 1024 dimensions: fewer hash collisions than 384 or 768, measured on bench:memory. */
  constructor (dimension = 1024) {
    this.dimension = dimension
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
      const concept = CONCEPT_OF.get(word) ?? CONCEPT_OF.get(s)
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
