import { LocalEmbedder } from './local.js'
import { OpenAIEmbedder } from './openai.js'
import type { Embedder } from './types.js'
import type { EndpointHealth } from '../../endpoints/health.js'
import type { NodeConfig } from '../../config/schema.js'

/**
 * The embedder `memory.embedder` names: `local` (offline), or `openai` (the llm
 * endpoint's embeddings, which must answer at start: a node whose embedder cannot be
 * reached does not start).
 *
 * @example
 * ```ts
 * const embedder = await openEmbedder(config.memory, config.llm, (endpoint, address) => new EndpointHealth(endpoint, address, 'memory calls fail'))
 * ```
 */
export async function openEmbedder (settings: NodeConfig['memory'], llm: NodeConfig['llm'], watch: (endpoint: 'embedder', address: string) => EndpointHealth): Promise<Embedder> {
  if (settings.embedder === 'local') return new LocalEmbedder()
  const embedder = new OpenAIEmbedder({
    baseUrl: llm.baseUrl,
    apiKey: llm.apiKey,
    model: settings.embeddingModel,
    dimensions: settings.embeddingDimensions,
    timeoutMs: llm.timeoutMs,
    maxRetries: llm.maxRetries,
    health: watch('embedder', llm.baseUrl ?? 'https://api.openai.com/v1')
  })
  await embedder.probe(llm.connectTimeoutMs)
  return embedder
}
