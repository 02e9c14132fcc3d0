import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { commandLine } from '../../cli/invocation.js'
import { EmbedderError } from '../errors.js'
import type { Embedder } from './types.js'
import type { InstalledModel, ModelManifest } from '../../models/manifest.js'
import type { InferenceSession, Tensor } from 'onnxruntime-node'

/** The sha256 of a file, streamed. */
async function fileSha256 (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * The name a model's vectors go by: its name and the first 12 hex digits of its ONNX
 * file's sha256, as the manifest records it (`verifyModelFile` checks the file).
 *
 * @example
 * ```ts
 * neuralEmbedderName(model.manifest)   // 'all-minilm-l6-v2@8199be6f699a'
 * ```
 */
export function neuralEmbedderName (manifest: ModelManifest): string {
  return `${manifest.name}@${(manifest.files[manifest.onnx]?.sha256 ?? '').slice(0, 12)}`
}

/**
 * Checks that a model's ONNX file is there and is the one its manifest names (sha256);
 * throws EmbedderError naming the file and the command that reinstalls it.
 *
 * @example
 * ```ts
 * await verifyModelFile(model)
 * ```
 */
export async function verifyModelFile (model: InstalledModel): Promise<void> {
  const { manifest, dir } = model
  const onnx = join(dir, manifest.onnx)
  const expected = manifest.files[manifest.onnx]?.sha256
  const digest = await fileSha256(onnx).catch((err: unknown) => { throw new EmbedderError(`cannot read the model ${manifest.name} at ${onnx}: ${(err as Error).message}`) })
  if (digest !== expected) throw new EmbedderError(`the model file ${onnx} does not match its manifest (sha256 ${digest}, expected ${expected ?? 'none'}): reinstall it with ${commandLine(`models pull ${manifest.name} --force`)}`)
}

/** Texts embedded in one run of the model: larger batches pad more and gain little on one core. */
const BATCH = 16

interface Encoded {
  ids: number[]
}

interface TokenizerLike {
  encode: (text: string) => Encoded
}

type Ort = typeof import('onnxruntime-node')

/**
 * A sentence-embedding model run in the node's process through ONNX Runtime, on one
 * core, from files on disk (a folder that `oa-node models pull` or
 * `npm run models:test` wrote): nothing is downloaded. Texts are tokenized with the
 * model's own tokenizer, cut to the model's token limit, run in batches of similar
 * length, pooled (mean over the attention mask, or the first token) and L2-normalised.
 *
 * Its name carries the model's name and the first 12 hex digits of the ONNX file's
 * sha256 (`all-minilm-l6-v2@8199be6f699a`), so vectors of other weights are never
 * compared with these.
 *
 * @example
 * ```ts
 * const model = await readInstalledModel(modelDir(), 'all-minilm-l6-v2')
 * const embedder = await NeuralEmbedder.load(model!)
 * const [a, b] = await embedder.embed(['my asyncio task hangs', 'my coroutine never finishes'])
 * ```
 */
export class NeuralEmbedder implements Embedder {
  readonly name: string
  readonly dimension: number
  /** Milliseconds it took to load the tokenizer and the model. */
  readonly loadMs: number
  private readonly ort: Ort
  private readonly session: InferenceSession
  private readonly tokenizer: TokenizerLike
  private readonly manifest: ModelManifest
  private readonly withTokenTypes: boolean
  /** Runs of the model, one at a time: a second caller waits for the first. */
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  private constructor (init: { ort: Ort, session: InferenceSession, tokenizer: TokenizerLike, manifest: ModelManifest, loadMs: number }) {
    this.ort = init.ort
    this.session = init.session
    this.tokenizer = init.tokenizer
    this.manifest = init.manifest
    this.loadMs = init.loadMs
    this.dimension = init.manifest.dimension
    this.name = neuralEmbedderName(init.manifest)
    this.withTokenTypes = init.session.inputNames.includes('token_type_ids')
  }

  /**
   * Loads the model in `model.dir`: its tokenizer files and its ONNX graph. An error
   * names the file that is missing or unreadable.
   *
   * @example
   * ```ts
   * const embedder = await NeuralEmbedder.load({ dir: '/home/me/.oa-node/models/all-minilm-l6-v2', manifest })
   * ```
   */
  static async load (model: InstalledModel): Promise<NeuralEmbedder> {
    const began = performance.now()
    const { manifest, dir } = model
    const [ortModule, tokenizers] = await Promise.all([import('onnxruntime-node'), import('@huggingface/tokenizers')])
    const ort: Ort = (ortModule as { default?: Ort }).default ?? ortModule
    const readJson = async (file: string): Promise<object> => {
      const path = join(dir, file)
      try {
        return JSON.parse(await readFile(path, 'utf8')) as object
      } catch (err) {
        throw new EmbedderError(`cannot read the tokenizer file ${path} of the model ${manifest.name}: ${(err as Error).message}`)
      }
    }
    const [tokenizerJson, tokenizerConfig] = await Promise.all([readJson(manifest.tokenizer), readJson(manifest.tokenizerConfig)])
    // the package's declarations use extensionless imports, which NodeNext cannot follow: its shape, as used here
    const { Tokenizer } = tokenizers as unknown as { Tokenizer: new (json: object, config: object) => TokenizerLike }
    const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig)
    const onnx = join(dir, manifest.onnx)
    // the name carries the digest of the weights run, not of the weights the manifest claims
    await verifyModelFile(model)
    let session: InferenceSession
    try {
      session = await ort.InferenceSession.create(onnx, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // without its arena, ONNX Runtime frees each run's buffers: the arena kept the
        // largest batch's (about 150 MiB more resident after use) for 10 % faster runs
        enableCpuMemArena: false
      })
    } catch (err) {
      throw new EmbedderError(`cannot load the model ${manifest.name} from ${onnx}: ${(err as Error).message}`)
    }
    for (const input of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(input)) {
        await session.release()
        throw new EmbedderError(`the model ${onnx} has no input ${input} (inputs: ${session.inputNames.join(', ')}): not a sentence-embedding model`)
      }
    }
    return new NeuralEmbedder({ ort, session, tokenizer, manifest, loadMs: performance.now() - began })
  }

  async embed (texts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (this.closed) throw new EmbedderError(`the model ${this.manifest.name} was closed`)
    const run = this.queue.then(async () => {
      if (this.closed) throw new EmbedderError(`the model ${this.manifest.name} was closed`)
      return this.embedAll(texts, signal)
    })
    this.queue = run.catch(() => {})
    return run
  }

  /** Frees the model's native memory. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue
    await this.session.release()
  }

  private async embedAll (texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const ids = texts.map(t => this.tokens(t))
    // batches of similar length pad little
    const order = ids.map((_, i) => i).sort((a, b) => (ids[a]?.length ?? 0) - (ids[b]?.length ?? 0))
    const out: number[][] = new Array<number[]>(texts.length)
    for (let start = 0; start < order.length; start += BATCH) {
      signal?.throwIfAborted()
      const batch = order.slice(start, start + BATCH)
      const vectors = await this.runBatch(batch.map(i => ids[i] ?? []))
      batch.forEach((i, j) => { out[i] = vectors[j] ?? [] })
    }
    return out
  }

  /** Token ids of a text, cut to the model's limit (keeping the closing special token). */
  private tokens (text: string): number[] {
    const ids = this.tokenizer.encode(text).ids
    const max = this.manifest.maxTokens
    if (ids.length <= max) return ids
    return [...ids.slice(0, max - 1), ids[ids.length - 1] ?? 0]
  }

  private async runBatch (batch: number[][]): Promise<number[][]> {
    const n = batch.length
    const width = Math.max(1, ...batch.map(b => b.length))
    const ids = new BigInt64Array(n * width)
    const mask = new BigInt64Array(n * width)
    batch.forEach((row, i) => {
      row.forEach((id, j) => {
        ids[i * width + j] = BigInt(id)
        mask[i * width + j] = 1n
      })
    })
    const { Tensor } = this.ort
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', ids, [n, width]),
      attention_mask: new Tensor('int64', mask, [n, width])
    }
    if (this.withTokenTypes) feeds.token_type_ids = new Tensor('int64', new BigInt64Array(n * width), [n, width])
    const result = await this.session.run(feeds)
    const output = result[this.session.outputNames[0] ?? 'last_hidden_state']
    if (output == null) throw new EmbedderError(`the model ${this.manifest.name} gave no output`)
    const data = output.data as Float32Array
    const dims = output.dims
    const hidden = dims[dims.length - 1] ?? 0
    if (hidden !== this.dimension) throw new EmbedderError(`the model ${this.manifest.name} gives ${hidden} dimensions, its manifest says ${this.dimension}`)
    // a pooled output ([n, dim]) is used as it is
    const pooled = dims.length === 2
    return batch.map((row, i) => {
      const v = new Float64Array(hidden)
      if (pooled) {
        for (let k = 0; k < hidden; k++) v[k] = data[i * hidden + k] ?? 0
      } else if (this.manifest.pooling === 'cls') {
        const at = i * width * hidden
        for (let k = 0; k < hidden; k++) v[k] = data[at + k] ?? 0
      } else {
        for (let j = 0; j < row.length; j++) {
          const at = (i * width + j) * hidden
          for (let k = 0; k < hidden; k++) v[k] = (v[k] ?? 0) + (data[at + k] ?? 0)
        }
      }
      let norm = 0
      for (const x of v) norm += x * x
      norm = Math.sqrt(norm)
      return Array.from(v, x => (norm === 0 ? 0 : x / norm))
    })
  }
}
