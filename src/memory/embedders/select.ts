import { commandLine } from '../../cli/invocation.js'
import { modelDir, readInstalledModel } from '../../models/manifest.js'
import { EmbedderError } from '../errors.js'
import { LexicalEmbedder } from './lexical.js'
import { LazyNeuralEmbedder } from './lazy-neural.js'
import { OpenAIEmbedder } from './openai.js'
import type { Embedder } from './types.js'
import type { EndpointHealth } from '../../endpoints/health.js'
import type { NodeConfig } from '../../config/schema.js'

/** How the embedder was chosen, for the one line the node says about it at start. */
export interface EmbedderChoice {
  embedder: Embedder
  /** Whether it runs in the node's process (lexical, neural): a store made with another is then re-embedded with it. */
  inProcess: boolean
  /** What the user should know (no model installed, a model that did not load), said once at start. */
  notice?: string
  /** `auto` fell back to the lexical embedder: a store of the model is refused, not re-embedded down to words. */
  fallback?: boolean
}

/**
 * The embedder `memory.embedder` names:
 * - `auto` (default): the neural model `memory.model` in `memory.modelDir` when its
 *   files are there, else the lexical embedder, with a notice naming the pull command;
 * - `neural`: the model, which must be there (an error names the pull command);
 * - `lexical`: word and character hashing, no model;
 * - `openai`: the llm endpoint's embeddings, which must answer at start.
 * Nothing is downloaded here: models come only from `oa-node models pull`.
 *
 * @example
 * ```ts
 * const { embedder, notice } = await chooseEmbedder(config.memory, config.llm, (endpoint, address) => new EndpointHealth(endpoint, address, 'memory calls fail'))
 * if (notice != null) log.info(notice)
 * ```
 */
export async function chooseEmbedder (settings: NodeConfig['memory'], llm: NodeConfig['llm'], watch: (endpoint: 'embedder', address: string) => EndpointHealth): Promise<EmbedderChoice> {
  if (settings.embedder === 'lexical') return { embedder: new LexicalEmbedder(), inProcess: true }
  if (settings.embedder === 'openai') {
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
    return { embedder, inProcess: false }
  }
  const dir = modelDir(settings.modelDir)
  const pull = commandLine(`models pull ${settings.model}${settings.modelDir === undefined || modelDir(settings.modelDir) === modelDir() ? '' : ` --model-dir ${settings.modelDir}`}`)
  let problem: string
  try {
    const model = await readInstalledModel(dir, settings.model)
    if (model != null) return { embedder: await LazyNeuralEmbedder.open(model), inProcess: true }
    problem = `the embedding model ${settings.model} is not in ${dir}`
  } catch (err) {
    if (settings.embedder === 'neural') throw new EmbedderError(`${(err as Error).message} (reinstall it with ${pull})`)
    problem = `the embedding model ${settings.model} in ${dir} cannot be used: ${(err as Error).message}`
  }
  if (settings.embedder === 'neural') throw new EmbedderError(`memory.embedder is neural, but ${problem}: get it with ${pull}, or set memory.modelDir to where its files are`)
  return {
    embedder: new LexicalEmbedder(),
    inProcess: true,
    fallback: true,
    notice: `memory: ${problem}; memory matches words, not meaning, until you get it with ${pull}`
  }
}

/**
 * The embedder alone (see chooseEmbedder).
 *
 * @example
 * ```ts
 * const embedder = await openEmbedder(config.memory, config.llm, watch)
 * ```
 */
export async function openEmbedder (settings: NodeConfig['memory'], llm: NodeConfig['llm'], watch: (endpoint: 'embedder', address: string) => EndpointHealth): Promise<Embedder> {
  return (await chooseEmbedder(settings, llm, watch)).embedder
}
