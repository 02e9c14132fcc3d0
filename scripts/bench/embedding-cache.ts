/**
 * Vectors of a slow embedder kept on disk between bench runs, by the SHA-256 of each
 * text, in `bench/cache/<embedder name>.vectors` (ignored by git): the first run of
 * bench:store on the neural embedder embeds its 100,000 sentences (minutes on two
 * cores), the next ones read them back. A file of another dimension, or cut short by an
 * interrupted run, is read up to its last whole entry.
 */
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Embedder } from '../../src/memory/embedders/types.js'

const DIGEST = 32

function digestOf (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * `embedders` (instances of one model, run side by side: one core each) behind a disk
 * cache; `embed` answers cached texts from the file and embeds the rest in batches.
 *
 * @example
 * ```ts
 * const cached = openEmbeddingCache([await NeuralEmbedder.load(model), await NeuralEmbedder.load(model)], 'bench/cache')
 * const vectors = await cached.embed(sentences)
 * ```
 */
export function openEmbeddingCache (embedders: Embedder[], dir: string): Embedder & { fromCache: number, embedded: number } {
  const first = embedders[0]
  if (first == null) throw new Error('an embedding cache needs an embedder')
  const { name, dimension } = first
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name.replace(/[^A-Za-z0-9@._-]/g, '_')}.vectors`)
  const entry = DIGEST + dimension * 4
  const known = new Map<string, Float32Array>()
  if (existsSync(file)) {
    const bytes = readFileSync(file)
    for (let at = 0; at + entry <= bytes.length; at += entry) {
      const vector = new Float32Array(dimension)
      Buffer.from(vector.buffer).set(bytes.subarray(at + DIGEST, at + entry))
      known.set(bytes.subarray(at, at + DIGEST).toString('hex'), vector)
    }
  }
  const cache = {
    name,
    dimension,
    fromCache: 0,
    embedded: 0,
    async embed (texts: string[]): Promise<number[][]> {
      const digests = texts.map(digestOf)
      const missing = [...new Set(digests.map((d, i) => known.has(d) ? -1 : i).filter(i => i >= 0).map(i => texts[i] ?? ''))]
      const batches: string[][] = []
      for (let i = 0; i < missing.length; i += 256) batches.push(missing.slice(i, i + 256))
      let next = 0
      await Promise.all(embedders.map(async (embedder) => {
        for (let b = next++; b < batches.length; b = next++) {
          const batch = batches[b] ?? []
          const vectors = await embedder.embed(batch)
          const out: Buffer[] = []
          for (const [i, text] of batch.entries()) {
            const vector = Float32Array.from(vectors[i] ?? [])
            if (vector.length !== dimension) throw new Error(`the embedder gave ${vector.length} dimensions, not ${dimension}`)
            const d = digestOf(text)
            known.set(d, vector)
            out.push(Buffer.from(d, 'hex'), Buffer.from(vector.buffer))
          }
          appendFileSync(file, Buffer.concat(out))
          cache.embedded += batch.length
        }
      }))
      cache.fromCache += texts.length - missing.length
      return digests.map(d => Array.from(known.get(d) ?? []))
    }
  }
  return cache
}
