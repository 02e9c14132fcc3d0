import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join, normalize, resolve } from 'node:path'
import { z } from 'zod'

/** The file in a model's folder that says what the folder holds; written last, so its presence means the files are complete. */
export const MANIFEST_FILE = 'oa-model.json'

/** The model a node uses when its files are present and the config names none. */
export const DEFAULT_MODEL = 'all-minilm-l6-v2'

/** Where models live when neither `memory.modelDir` nor `--model-dir` says otherwise. */
export const DEFAULT_MODEL_DIR = '~/.oa-node/models'

const fileSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(0)
})

/** What `oa-model.json` holds. */
export const manifestSchema = z.strictObject({
  /** The model's name in oa-node (`all-minilm-l6-v2`): the folder's name too. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  /** Where the files came from (`Xenova/all-MiniLM-L6-v2@<revision>`, or a local source). */
  source: z.string().min(1),
  dimension: z.number().int().min(1).max(65_536),
  /** How token vectors become one sentence vector: their mean over the attention mask, or the first token's. */
  pooling: z.enum(['mean', 'cls']),
  /** Longer texts are cut to this many tokens (the model's own limit, or less for speed). */
  maxTokens: z.number().int().min(8).max(8192),
  /** Paths, relative to the folder, of the ONNX graph and the tokenizer files. */
  onnx: z.string().min(1),
  tokenizer: z.string().min(1),
  tokenizerConfig: z.string().min(1),
  /** Every file with its checksum and size, checked by `oa-node models list --verify`. */
  files: z.record(z.string(), fileSchema)
})

/** A model's manifest. */
export type ModelManifest = z.infer<typeof manifestSchema>

/** A model's manifest, read and checked, with the folder it is in. */
export interface InstalledModel {
  dir: string
  manifest: ModelManifest
}

/** A relative path that stays inside its folder: no `..` step, not absolute, no backslash or NUL. */
function insideFolder (file: string): boolean {
  return file !== '' && !isAbsolute(file) && !/[\\\0]/.test(file) && normalize(file).split('/').every(part => part !== '..' && part !== '')
}

/** A manifest that cannot be read or is not one. */
export class ModelManifestError extends Error {
  override readonly name = 'ModelManifestError'
}

/**
 * The folder models live in: `dir` when given (`~` expanded), else ~/.oa-node/models.
 *
 * @example
 * ```ts
 * modelDir()               // '/home/me/.oa-node/models'
 * modelDir('./models')     // '/work/models'
 * ```
 */
export function modelDir (dir?: string): string {
  const chosen = dir ?? DEFAULT_MODEL_DIR
  if (chosen === '~') return homedir()
  if (chosen.startsWith('~/')) return resolve(homedir(), chosen.slice(2))
  return resolve(chosen)
}

/**
 * Reads the manifest of model `name` in `dir`: undefined when the model is not there
 * (no manifest), an error naming the file when the manifest is broken.
 *
 * @example
 * ```ts
 * const model = await readInstalledModel(modelDir(), 'all-minilm-l6-v2')
 * if (model != null) console.log(model.manifest.dimension)   // 384
 * ```
 */
export async function readInstalledModel (dir: string, name: string): Promise<InstalledModel | undefined> {
  const folder = join(dir, name)
  const path = join(folder, MANIFEST_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ModelManifestError(`cannot read ${path}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ModelManifestError(`${path} is not JSON: ${(err as Error).message}`)
  }
  const parsed = manifestSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ModelManifestError(`${path}: ${issue == null ? 'not a model manifest' : `${issue.path.join('.') || 'manifest'}: ${issue.message}`}`)
  }
  if (parsed.data.name !== name) throw new ModelManifestError(`${path} names the model ${parsed.data.name}, but sits in the folder ${name}`)
  const m = parsed.data
  for (const file of [m.onnx, m.tokenizer, m.tokenizerConfig, ...Object.keys(m.files)]) {
    if (!insideFolder(file)) throw new ModelManifestError(`${path}: the file ${JSON.stringify(file)} is not a path inside the model's folder`)
  }
  if (m.files[m.onnx] == null) throw new ModelManifestError(`${path}: files has no checksum for the ONNX graph ${m.onnx}`)
  return { dir: folder, manifest: m }
}
