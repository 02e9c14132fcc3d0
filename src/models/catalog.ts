import type { ModelManifest } from './manifest.js'

/** The revision pulled when `--revision` names none: the repository's default branch. */
export const DEFAULT_REVISION = 'main'

/** A model `oa-node models pull <name>` can download, and where it lives on the hub. */
export interface CatalogModel {
  /** The model's name in oa-node, and its folder's name in the model dir. */
  name: string
  /** The hub repository (`owner/name`). */
  repo: string
  /** One line on what the model is for, shown by `oa-node models pull --help`. */
  description: string
  /** Paths, in the repository, of the ONNX graph and the tokenizer files. */
  onnx: string
  tokenizer: string
  tokenizerConfig: string
  pooling: ModelManifest['pooling']
  dimension: number
  maxTokens: number
}

/** Every model that can be pulled by name. */
export const CATALOG: readonly CatalogModel[] = [
  {
    name: 'all-minilm-l6-v2',
    repo: 'Xenova/all-MiniLM-L6-v2',
    description: 'small, fast English sentence embeddings, int8, 23 MB',
    onnx: 'onnx/model_quantized.onnx',
    tokenizer: 'tokenizer.json',
    tokenizerConfig: 'tokenizer_config.json',
    pooling: 'mean',
    dimension: 384,
    maxTokens: 256
  },
  {
    name: 'bge-small-en-v1.5',
    repo: 'Xenova/bge-small-en-v1.5',
    description: 'English retrieval embeddings for longer texts, int8, 34 MB',
    onnx: 'onnx/model_quantized.onnx',
    tokenizer: 'tokenizer.json',
    tokenizerConfig: 'tokenizer_config.json',
    pooling: 'cls',
    dimension: 384,
    maxTokens: 512
  }
]

/**
 * The catalog entry of model `name`, or undefined when the catalog has no such model.
 *
 * @example
 * ```ts
 * catalogModel('bge-small-en-v1.5')?.repo   // 'Xenova/bge-small-en-v1.5'
 * catalogModel('gpt-17')                    // undefined
 * ```
 */
export function catalogModel (name: string): CatalogModel | undefined {
  return CATALOG.find(m => m.name === name)
}

/**
 * The names of the models that can be pulled, in catalog order.
 *
 * @example
 * ```ts
 * catalogNames()   // ['all-minilm-l6-v2', 'bge-small-en-v1.5']
 * ```
 */
export function catalogNames (): string[] {
  return CATALOG.map(m => m.name)
}

/**
 * The files of a catalog model, in the order they are downloaded (the ONNX graph, the largest, last).
 *
 * @example
 * ```ts
 * catalogFiles(catalogModel('all-minilm-l6-v2')!)
 * // ['tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']
 * ```
 */
export function catalogFiles (model: CatalogModel): string[] {
  return [...new Set([model.tokenizer, model.tokenizerConfig, model.onnx])]
}
