import { openAiFailure } from '../../endpoints/openai-failure.js'
import { lazyOpenAiClient } from '../../endpoints/openai-sdk.js'
import type { OpenAI } from 'openai'
import type { NodeConfig } from '../../config/schema.js'

/** What the client uses of the `llm` settings. */
export type LlmSettings = Omit<NodeConfig['llm'], 'connectTimeoutMs'>

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** Token and request counts since the node started. */
export interface LlmUsage {
  requests: number
  failures: number
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

/** No endpoint is configured: agents answer in retrieval-only mode. */
export class LlmOfflineError extends Error {
  override readonly name = 'LlmOfflineError'
  constructor () {
    super('no language model configured (set OPENAI_BASE_URL and/or OPENAI_API_KEY)')
  }
}

/** The endpoint failed (after retries): bad key, unreachable, timeout, error status. */
export class LlmRequestError extends Error {
  override readonly name = 'LlmRequestError'
}

/**
 * The one client agents use for language models: any OpenAI-compatible endpoint
 * (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio). Retries 429 and 5xx answers and
 * connection errors with exponential backoff, times out, and counts tokens. Without a
 * base URL or key it is offline, and agents fall back to retrieval-only answers.
 *
 * @example
 * ```ts
 * const llm = new LlmClient({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.2', timeoutMs: 60_000, maxRetries: 2 })
 * const text = await llm.complete([{ role: 'user', content: 'What does asyncio.gather do?' }])
 * ```
 */
export class LlmClient {
  readonly settings: LlmSettings
  /** The `openai` client, made (and the package imported) on the first request. */
  private readonly client?: () => Promise<OpenAI>
  private readonly counts: LlmUsage = { requests: 0, failures: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 }

  constructor (settings: LlmSettings) {
    this.settings = settings
    if (settings.baseUrl != null || settings.apiKey != null) {
      this.client = lazyOpenAiClient({
        baseURL: settings.baseUrl,
        // local servers (Ollama, llama.cpp) take any key
        apiKey: settings.apiKey ?? 'unused',
        timeout: settings.timeoutMs,
        maxRetries: settings.maxRetries
      })
    }
  }

  /** True when an endpoint is configured. */
  get online (): boolean {
    return this.client != null
  }

  /** `offline`, or the model and endpoint in use. */
  describe (): string {
    return this.client == null ? 'offline' : `${this.settings.model} at ${this.settings.baseUrl ?? 'https://api.openai.com/v1'}`
  }

  usage (): LlmUsage {
    return { ...this.counts }
  }

  /** Runs a chat completion and returns the text of the first choice. */
  async complete (messages: ChatMessage[], options: { signal?: AbortSignal, maxTokens?: number, temperature?: number } = {}): Promise<string> {
    if (this.client == null) throw new LlmOfflineError()
    this.counts.requests++
    try {
      const client = await this.client()
      const response = await client.chat.completions.create({
        model: this.settings.model,
        messages,
        // the field every OpenAI-compatible server (Ollama, vLLM, llama.cpp) understands
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        max_tokens: options.maxTokens,
        temperature: options.temperature ?? 0.2
      }, { signal: options.signal })
      this.counts.promptTokens += response.usage?.prompt_tokens ?? 0
      this.counts.completionTokens += response.usage?.completion_tokens ?? 0
      this.counts.totalTokens += response.usage?.total_tokens ?? 0
      const text = response.choices[0]?.message.content
      if (text == null || text.trim() === '') throw new LlmRequestError('the model returned no text')
      return text.trim()
    } catch (err) {
      this.counts.failures++
      if (err instanceof LlmRequestError) throw err
      throw new LlmRequestError(`${this.describe()}: ${(await openAiFailure(err, this.settings.timeoutMs)).reason}`)
    }
  }
}
