import { EmbedderError } from '../errors.js'
import { NeuralEmbedder, neuralEmbedderName, verifyModelFile } from './neural.js'
import type { Embedder } from './types.js'
import type { InstalledModel } from '../../models/manifest.js'

/**
 * The neural model, loaded when the node first embeds a text rather than at start: ONNX
 * Runtime with the model holds about 170 MiB, which a node that never embeds (a relay, a
 * bootstrap peer, an idle node of a local cluster) does not carry. Its name and
 * dimension come from the manifest, and the model file is checked against it when the
 * embedder is opened, so a missing or altered model is seen at start. The first `embed`
 * pays the load (a few hundred milliseconds); a load that fails is reported by that call
 * and tried again by the next.
 *
 * @example
 * ```ts
 * const embedder = await LazyNeuralEmbedder.open(model)
 * embedder.loaded                      // false
 * await embedder.embed(['my asyncio task hangs'])
 * embedder.loaded                      // true
 * ```
 */
export class LazyNeuralEmbedder implements Embedder {
  readonly name: string
  readonly dimension: number
  private readonly model: InstalledModel
  private loading: Promise<NeuralEmbedder> | undefined
  private resident: NeuralEmbedder | undefined
  private closed = false

  private constructor (model: InstalledModel) {
    this.model = model
    this.name = neuralEmbedderName(model.manifest)
    this.dimension = model.manifest.dimension
  }

  /** Checks the model file against its manifest; the model itself is loaded on first use. */
  static async open (model: InstalledModel): Promise<LazyNeuralEmbedder> {
    await verifyModelFile(model)
    return new LazyNeuralEmbedder(model)
  }

  /** Whether the model is in memory. */
  get loaded (): boolean {
    return this.resident != null
  }

  async embed (texts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (this.closed) throw new EmbedderError(`the model ${this.model.manifest.name} was closed`)
    return (await this.load()).embed(texts, signal)
  }

  /** Frees the model's native memory, when it was loaded. */
  async close (): Promise<void> {
    this.closed = true
    const loading = this.loading
    this.loading = undefined
    const model = await loading?.catch(() => undefined)
    this.resident = undefined
    await model?.close()
  }

  private async load (): Promise<NeuralEmbedder> {
    // checked again as it loads: the file may have changed since the node started
    this.loading ??= NeuralEmbedder.load(this.model).then((model) => {
      this.resident = model
      return model
    }, (err: unknown) => {
      this.loading = undefined
      throw err
    })
    return this.loading
  }
}
