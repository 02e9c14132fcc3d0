import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256File } from './hash.js'
import type { InstalledModel } from './manifest.js'

/**
 * The problems of an installed model's files: a file missing or of the wrong size, and with
 * `verify`, a file whose sha256 is not the manifest's. Empty when the files are as listed.
 *
 * @example
 * ```ts
 * const model = await readInstalledModel(modelDir(), 'all-minilm-l6-v2')
 * await modelProblems(model!, true)   // [] or ['onnx/model_quantized.onnx: sha256 is 3f1c…, the manifest says 9a0b…']
 * ```
 */
export async function modelProblems (model: InstalledModel, verify = false): Promise<string[]> {
  const problems: string[] = []
  const { manifest } = model
  for (const needed of [manifest.onnx, manifest.tokenizer, manifest.tokenizerConfig]) {
    if (manifest.files[needed] == null) problems.push(`${needed}: named by the manifest but not in its file list`)
  }
  for (const [path, expected] of Object.entries(manifest.files)) {
    const file = join(model.dir, path)
    let size: number
    try {
      size = (await stat(file)).size
    } catch {
      problems.push(`${path}: missing`)
      continue
    }
    if (size !== expected.size) {
      problems.push(`${path}: ${size} bytes, the manifest says ${expected.size}`)
      continue
    }
    if (verify) {
      const got = await sha256File(file)
      if (got !== expected.sha256) problems.push(`${path}: sha256 is ${got}, the manifest says ${expected.sha256}`)
    }
  }
  return problems
}
