import { EndpointError } from '../../endpoints/errors.js'
import { openAiFailure } from '../../endpoints/openai-failure.js'
import { lazyOpenAiClient } from '../../endpoints/openai-sdk.js'
import { MemoryStoreError } from '../errors.js'
import type { EndpointHealth } from '../../endpoints/health.js'
import type { Embedder } from './types.js'
import type { OpenAI } from 'openai'

export interface OpenAIEmbedderInit {
  baseUrl?: string
  apiKey?: string
  model: string
  /** Requested dimension (models that support shortening), else the model's own. */
  dimensions?: number
  timeoutMs: number
  maxRetries: number
  /** Records the endpoint's outages (the memory service's, reported in `GET /v1/status`). */
  health?: EndpointHealth
}

const BATCH = 128
const DEFAULT_BASE_URL = 'https://api.openai.com/v1'

/** Hints for an endpoint that fails, by kind of failure. */
const HINTS: Record<string, string> = {
  unreachable: 'is it running? OPENAI_BASE_URL / llm.baseUrl',
  credentials: 'check OPENAI_API_KEY / llm.apiKey',
  not_found: 'check OPENAI_EMBEDDING_MODEL / memory.embeddingModel, and OPENAI_BASE_URL / llm.baseUrl, which usually ends in /v1',
  busy: 'rate limited or out of quota; llm.maxRetries sets the retries',
  garbage: 'is OPENAI_BASE_URL / llm.baseUrl an OpenAI-compatible endpoint? it usually ends in /v1'
}

/**
 * Embeddings from any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio), in
 * batches, with retries on 429 and 5xx. The dimension is learned from the first answer
 * unless configured. An endpoint that cannot be reached, refuses the key or answers
 * something that is not embeddings fails with an `EndpointError` naming it and the cause.
 *
 * @example
 * ```ts
 * const embedder = new OpenAIEmbedder({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'nomic-embed-text', timeoutMs: 60_000, maxRetries: 2 })
 * await embedder.probe(10_000)
 * ```
 */
export class OpenAIEmbedder implements Embedder {
  readonly name: string
  private dim?: number
  /** The `openai` client, made (and the package imported) on the first request. */
  private readonly client: () => Promise<OpenAI>
  private readonly init: OpenAIEmbedderInit

  constructor (init: OpenAIEmbedderInit) {
    this.init = init
    this.name = `openai:${init.model}`
    this.dim = init.dimensions
    this.client = lazyOpenAiClient({ baseURL: init.baseUrl, apiKey: init.apiKey ?? 'unused', timeout: init.timeoutMs, maxRetries: init.maxRetries })
  }

  /** The endpoint's base URL. */
  get address (): string {
    return this.init.baseUrl ?? DEFAULT_BASE_URL
  }

  get dimension (): number {
    if (this.dim == null) throw new MemoryStoreError('the embedding dimension is not known yet: call probe() first')
    return this.dim
  }

  /**
   * Checks the endpoint with one small request and learns the dimension. Fails with an
   * `EndpointError` when no usable answer comes within `timeoutMs` (retries included).
   */
  async probe (timeoutMs: number = this.init.timeoutMs): Promise<void> {
    const deadline = AbortSignal.timeout(timeoutMs)
    let vector: number[] | undefined
    try {
      vector = (await this.embedBatch(['dimension probe'], deadline))[0]
    } catch (err) {
      if (deadline.aborted) throw this.endpointError('unreachable', `no answer within ${timeoutMs} ms`, true, (err as Error).message, 'is it running? OPENAI_BASE_URL / llm.baseUrl; llm.connectTimeoutMs sets the wait')
      throw err
    }
    if (this.dim == null) this.dim = vector?.length
  }

  async embed (texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const run = async (): Promise<number[][]> => {
      const out: number[][] = []
      for (let i = 0; i < texts.length; i += BATCH) out.push(...await this.embedBatch(texts.slice(i, i + BATCH), signal))
      return out
    }
    const out = this.init.health == null ? await run() : await this.init.health.track(run)
    if (this.dim == null && out[0] != null) this.dim = out[0].length
    return out
  }

  private async embedBatch (input: string[], signal?: AbortSignal): Promise<number[][]> {
    let response: unknown
    try {
      const client = await this.client()
      response = await client.embeddings.create({ model: this.init.model, input, ...(this.init.dimensions == null ? {} : { dimensions: this.init.dimensions }) }, { signal })
    } catch (err) {
      const failure = await openAiFailure(err, this.init.timeoutMs)
      const detail = (err as Error).message
      if (failure.kind === 'aborted') throw new MemoryStoreError(`embedding with ${this.name} at ${this.address} was aborted`)
      if (failure.kind === 'refused') throw new MemoryStoreError(`the embeddings endpoint at ${this.address} refused the request: ${failure.reason}`)
      throw this.endpointError(failure.kind, failure.reason, !failure.answered, detail)
    }
    return this.vectorsOf(response, input.length)
  }

  /** The vectors of an answer, checked: as many as texts, each a non-empty array of finite numbers, all of one dimension. */
  private vectorsOf (response: unknown, count: number): number[][] {
    const data = (response as { data?: unknown } | null)?.data
    if (typeof response !== 'object' || response == null || !Array.isArray(data)) {
      throw this.endpointError('garbage', 'the answer is not an embeddings response (no data array)', false, JSON.stringify(response)?.slice(0, 200))
    }
    const items = [...data as Array<{ index?: unknown, embedding?: unknown }>].sort((a, b) => Number(a.index) - Number(b.index))
    if (items.length !== count) throw this.endpointError('garbage', `the answer holds ${items.length} embeddings for ${count} texts`, false)
    const vectors: number[][] = []
    for (const item of items) {
      const v = item.embedding
      if (!Array.isArray(v) || v.length === 0 || !v.every(x => typeof x === 'number' && Number.isFinite(x))) {
        throw this.endpointError('garbage', 'the answer holds an embedding that is not a non-empty list of numbers', false)
      }
      const dim = this.dim ?? vectors[0]?.length
      if (dim != null && v.length !== dim) throw this.endpointError('garbage', `the answer holds a ${v.length}-dimensional embedding; the node expects ${dim}`, false)
      vectors.push(v as number[])
    }
    return vectors
  }

  private endpointError (kind: string, reason: string, unreachable: boolean, detail?: string, hint = HINTS[kind]): EndpointError {
    return new EndpointError({ endpoint: 'embedder', address: this.address, reason, unreachable, hint, detail })
  }
}
