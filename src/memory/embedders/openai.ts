import OpenAI from 'openai'
import { MemoryStoreError } from '../errors.js'
import type { Embedder } from './types.js'

export interface OpenAIEmbedderInit {
  baseUrl?: string
  apiKey?: string
  model: string
  /** Requested dimension (models that support shortening), else the model's own. */
  dimensions?: number
  timeoutMs: number
  maxRetries: number
}

const BATCH = 128

/**
 * Embeddings from any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio), in
 * batches, with retries on 429 and 5xx. The dimension is learned from the first answer
 * unless configured.
 *
 * @example
 * ```ts
 * const embedder = new OpenAIEmbedder({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'nomic-embed-text', timeoutMs: 60_000, maxRetries: 2 })
 * await embedder.probe()
 * ```
 */
export class OpenAIEmbedder implements Embedder {
  readonly name: string
  private dim?: number
  private readonly client: OpenAI
  private readonly init: OpenAIEmbedderInit

  constructor (init: OpenAIEmbedderInit) {
    this.init = init
    this.name = `openai:${init.model}`
    this.dim = init.dimensions
    this.client = new OpenAI({ baseURL: init.baseUrl, apiKey: init.apiKey ?? 'unused', timeout: init.timeoutMs, maxRetries: init.maxRetries })
  }

  get dimension (): number {
    if (this.dim == null) throw new MemoryStoreError('the embedding dimension is not known yet: call probe() first')
    return this.dim
  }

  /** Learns the dimension with one small request. */
  async probe (): Promise<void> {
    if (this.dim == null) this.dim = (await this.embed(['dimension probe']))[0]?.length
  }

  async embed (texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const out: number[][] = []
    for (let i = 0; i < texts.length; i += BATCH) {
      try {
        const response = await this.client.embeddings.create({ model: this.init.model, input: texts.slice(i, i + BATCH), ...(this.init.dimensions == null ? {} : { dimensions: this.init.dimensions }) }, { signal })
        for (const item of [...response.data].sort((a, b) => a.index - b.index)) out.push(item.embedding)
      } catch (err) {
        const status = (err as { status?: number }).status
        throw new MemoryStoreError(`embedding with ${this.name} at ${this.init.baseUrl ?? 'https://api.openai.com/v1'} failed: ${status != null ? `HTTP ${status}: ` : ''}${(err as Error).message.split('\n')[0] ?? ''}`)
      }
    }
    if (this.dim == null && out[0] != null) this.dim = out[0].length
    return out
  }
}
