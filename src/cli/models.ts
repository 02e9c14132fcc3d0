import { catalogModel, catalogNames, DEFAULT_REVISION } from '../models/catalog.js'
import { hubUrl } from '../models/hub.js'
import { listModels } from '../models/list.js'
import { DEFAULT_MODEL, modelDir } from '../models/manifest.js'
import { formatBytes, pullProgress } from '../models/progress.js'
import { pullModel } from '../models/pull.js'
import { UsageError } from './errors.js'
import { print, printJson, table } from './format.js'
import { commandLine } from './invocation.js'

/** Flags of `oa-node models pull`. */
export interface ModelsPullFlags {
  modelDir?: string
  hubUrl?: string
  revision?: string
  force?: boolean
  json?: boolean
}

/** Flags of `oa-node models list`. */
export interface ModelsListFlags {
  modelDir?: string
  verify?: boolean
  json?: boolean
}

/**
 * `oa-node models pull [name]`: downloads a catalog model (default all-minilm-l6-v2) from the
 * hub into the model dir, checked file by file, resuming what an interrupted pull left. An
 * unknown name is a usage error listing the catalog. Exit 0 when the model is complete.
 *
 * @example
 * ```ts
 * await modelsPullCommand('bge-small-en-v1.5', { modelDir: './models' })   // 0
 * ```
 */
export async function modelsPullCommand (name: string | undefined, flags: ModelsPullFlags): Promise<number> {
  const chosen = name ?? DEFAULT_MODEL
  const model = catalogModel(chosen)
  if (model == null) throw new UsageError(`no model named ${chosen} to pull; the models are: ${catalogNames().join(', ')}`)
  const dir = modelDir(flags.modelDir ?? process.env.OA_MODEL_DIR)
  const hub = hubUrl(flags.hubUrl)
  const revision = flags.revision ?? DEFAULT_REVISION
  const showProgress = process.stderr.isTTY || flags.json !== true
  const progress = pullProgress(process.stderr)
  let result
  try {
    result = await pullModel(model, { modelDir: dir, hub, revision, force: flags.force, onEvent: showProgress ? progress.onEvent : undefined })
  } finally {
    progress.end()
  }
  const files = Object.values(result.files)
  const bytes = files.reduce((n, f) => n + f.size, 0)
  if (flags.json === true) {
    printJson(result)
    return 0
  }
  if (result.alreadyInstalled) {
    print(`${result.name} is already installed in ${result.dir} (${result.source}); nothing downloaded (--force downloads it again)`)
  } else {
    print(`pulled ${result.name} (${result.source}) into ${result.dir}: ${files.length} files, ${formatBytes(bytes)}, checked`)
  }
  return 0
}

/**
 * `oa-node models list`: the models of the model dir (name, dimension, pooling, size, source),
 * the broken folders with their problem, and the model the node uses by default. With
 * `--verify` every file's sha256 is checked, and the exit code is 1 when a model is broken.
 *
 * @example
 * ```ts
 * await modelsListCommand({ verify: true })   // 0 when every model is intact
 * ```
 */
export async function modelsListCommand (flags: ModelsListFlags): Promise<number> {
  const dir = modelDir(flags.modelDir ?? process.env.OA_MODEL_DIR)
  const listing = await listModels(dir, { verify: flags.verify })
  const code = flags.verify === true && listing.broken.length > 0 ? 1 : 0
  const hasDefault = listing.models.some(m => m.manifest.name === DEFAULT_MODEL)
  if (flags.json === true) {
    printJson({
      dir,
      default: DEFAULT_MODEL,
      defaultInstalled: hasDefault,
      models: listing.models.map(m => ({ name: m.manifest.name, dimension: m.manifest.dimension, pooling: m.manifest.pooling, maxTokens: m.manifest.maxTokens, bytes: m.bytes, source: m.manifest.source, dir: m.dir, default: m.manifest.name === DEFAULT_MODEL })),
      broken: listing.broken
    })
    return code
  }
  print(`model dir ${dir}`)
  if (listing.models.length > 0) {
    print(table(['NAME', 'DIM', 'POOLING', 'SIZE', 'SOURCE'], listing.models.map(m => [
      `${m.manifest.name}${m.manifest.name === DEFAULT_MODEL ? ' (default)' : ''}`,
      String(m.manifest.dimension),
      m.manifest.pooling,
      formatBytes(m.bytes),
      m.manifest.source
    ])))
  }
  for (const broken of listing.broken) print(`broken: ${broken.name}: ${broken.problem}`)
  if (flags.verify === true && listing.models.length > 0) print(`verified: every file of ${listing.models.length === 1 ? 'the model' : `the ${listing.models.length} models`} matches its sha256`)
  const pull = commandLine(`models pull${flags.modelDir == null ? '' : ` --model-dir ${flags.modelDir}`}`)
  const defaultBroken = listing.broken.some(b => b.name === DEFAULT_MODEL)
  if (hasDefault) print(`the node uses ${DEFAULT_MODEL} by default`)
  else if (defaultBroken) print(`the node uses ${DEFAULT_MODEL} by default, which is broken: ${pull} --force downloads it again`)
  else if (listing.models.length === 0) print(`no models installed; ${pull} downloads ${DEFAULT_MODEL}, the one the node uses by default`)
  else print(`the node uses ${DEFAULT_MODEL} by default, which is not installed: ${pull}`)
  return code
}
