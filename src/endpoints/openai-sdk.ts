import type { ClientOptions, OpenAI } from 'openai'

/** The `openai` package, as `import('openai')` gives it. */
export type OpenAiSdk = typeof import('openai')

let loading: Promise<OpenAiSdk> | undefined

/**
 * The `openai` package, imported on first use: a node that never calls a language model
 * or an embeddings endpoint does not load its ~150 modules.
 *
 * @example
 * ```ts
 * const { APIError } = await openAiSdk()
 * ```
 */
export async function openAiSdk (): Promise<OpenAiSdk> {
  loading ??= import('openai')
  return await loading
}

/**
 * A client of an OpenAI-compatible endpoint, made on first use with `options`.
 *
 * @example
 * ```ts
 * const client = lazyOpenAiClient({ baseURL: 'http://127.0.0.1:11434/v1', apiKey: 'unused' })
 * const answer = await (await client()).chat.completions.create({ model: 'llama3.2', messages })
 * ```
 */
export function lazyOpenAiClient (options: ClientOptions): () => Promise<OpenAI> {
  let client: Promise<OpenAI> | undefined
  return async () => {
    client ??= openAiSdk().then(sdk => new sdk.OpenAI(options))
    return await client
  }
}
