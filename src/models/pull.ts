import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, normalize, sep } from 'node:path'
import { catalogFiles, DEFAULT_REVISION } from './catalog.js'
import type { CatalogModel } from './catalog.js'
import { downloadFile } from './download.js'
import type { DownloadProgress, DownloadResult } from './download.js'
import { DEFAULT_HUB_URL, hubFiles, resolveUrl } from './hub.js'
import type { HubFile } from './hub.js'
import { MANIFEST_FILE, manifestSchema, ModelManifestError, readInstalledModel } from './manifest.js'
import type { ModelManifest } from './manifest.js'
import { modelProblems } from './problems.js'

/** The folder, inside a model's folder, that downloads go to before they are checked. */
export const PARTIAL_DIR = '.partial'

/** What happens during a pull, for a progress display. */
export type PullEvent =
  | { type: 'files', files: HubFile[], total: number }
  | { type: 'progress', progress: DownloadProgress }
  | { type: 'file', path: string, result: DownloadResult }

/** What `pullModel` needs. */
export interface PullOptions {
  /** The model dir (`modelDir()`), holding a folder per model. */
  modelDir: string
  /** The hub's base URL (`hubUrl()`). */
  hub?: string
  revision?: string
  /** Download again even when the model is complete. */
  force?: boolean
  timeoutMs?: number
  onEvent?: (event: PullEvent) => void
}

/** What a pull did. */
export interface PullResult {
  name: string
  /** The model's folder. */
  dir: string
  source: string
  /** The model was complete already and nothing was downloaded. */
  alreadyInstalled: boolean
  /** Bytes fetched from the hub by this pull. */
  fetched: number
  /** Every file with its sha256 and size, as the manifest lists them. */
  files: ModelManifest['files']
}

/** A path from the hub that would land outside the model's folder. */
function safePath (path: string): string {
  const clean = normalize(path)
  if (clean.startsWith('..') || clean.startsWith(sep) || clean.split(sep).includes('..') || clean === PARTIAL_DIR || clean.startsWith(`${PARTIAL_DIR}${sep}`) || clean === MANIFEST_FILE) {
    throw new ModelManifestError(`the file path ${path} does not fit in a model folder`)
  }
  return clean
}

/**
 * Where a model's files came from, as its manifest says: `owner/repo@revision`, with the hub's
 * URL in front when it is not huggingface.co.
 *
 * @example
 * ```ts
 * modelSource('https://huggingface.co', 'Xenova/all-MiniLM-L6-v2', 'main')   // 'Xenova/all-MiniLM-L6-v2@main'
 * modelSource('http://127.0.0.1:9000', 'Xenova/all-MiniLM-L6-v2', 'v1')     // 'http://127.0.0.1:9000/Xenova/all-MiniLM-L6-v2@v1'
 * ```
 */
export function modelSource (hub: string, repo: string, revision: string): string {
  return `${hub === DEFAULT_HUB_URL ? '' : `${hub}/`}${repo}@${revision}`
}

/**
 * Downloads catalog model `model` into `<modelDir>/<name>/`: each file into `.partial/<path>.part`
 * (resumed when an earlier pull left it), checked against the hub's checksums, moved into place;
 * then `oa-model.json`, last. A model whose manifest is there already is not downloaded again
 * unless `force`.
 *
 * @example
 * ```ts
 * const result = await pullModel(catalogModel('all-minilm-l6-v2')!, { modelDir: modelDir(), hub: hubUrl() })
 * result.dir   // '/home/me/.oa-node/models/all-minilm-l6-v2'
 * ```
 */
export async function pullModel (model: CatalogModel, options: PullOptions): Promise<PullResult> {
  const hub = options.hub ?? DEFAULT_HUB_URL
  const revision = options.revision ?? DEFAULT_REVISION
  const folder = join(options.modelDir, model.name)
  const manifestPath = join(folder, MANIFEST_FILE)
  const partial = join(folder, PARTIAL_DIR)
  if (options.force !== true) {
    const installed = await readInstalledModel(options.modelDir, model.name).catch((err: unknown) => {
      // a broken manifest: the pull replaces it
      if (err instanceof ModelManifestError) return undefined
      throw err
    })
    // a manifest whose files are missing or cut short: the pull downloads them again
    if (installed != null && (await modelProblems(installed)).length === 0) {
      return { name: model.name, dir: folder, source: installed.manifest.source, alreadyInstalled: true, fetched: 0, files: installed.manifest.files }
    }
  }
  const files = await hubFiles(hub, model.repo, revision, catalogFiles(model), options.timeoutMs)
  const paths = files.map(f => safePath(f.path))
  options.onEvent?.({ type: 'files', files, total: files.reduce((n, f) => n + f.size, 0) })
  if (options.force === true) await rm(partial, { recursive: true, force: true })
  const done: Array<{ path: string, part: string, result: DownloadResult }> = []
  for (const [i, file] of files.entries()) {
    const part = join(partial, `${paths[i] ?? file.path}.part`)
    const result = await downloadFile({
      url: resolveUrl(hub, model.repo, revision, file.path),
      file,
      partPath: part,
      timeoutMs: options.timeoutMs,
      onProgress: (progress) => { options.onEvent?.({ type: 'progress', progress }) }
    })
    options.onEvent?.({ type: 'file', path: file.path, result })
    done.push({ path: paths[i] ?? file.path, part, result })
  }
  // the model in place stays usable until every new file is checked; from here on the folder
  // is incomplete, and has no manifest until every file is in place
  await rm(manifestPath, { force: true })
  for (const { path, part } of done) {
    const target = join(folder, path)
    await mkdir(dirname(target), { recursive: true })
    await rename(part, target)
  }
  const manifest = manifestSchema.parse({
    name: model.name,
    source: modelSource(hub, model.repo, revision),
    dimension: model.dimension,
    pooling: model.pooling,
    maxTokens: model.maxTokens,
    onnx: model.onnx,
    tokenizer: model.tokenizer,
    tokenizerConfig: model.tokenizerConfig,
    files: Object.fromEntries(done.map(({ path, result }) => [path.split(sep).join('/'), { sha256: result.sha256, size: result.size }]))
  })
  const tmp = `${manifestPath}.tmp`
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`)
  await rename(tmp, manifestPath)
  await rm(partial, { recursive: true, force: true })
  return { name: model.name, dir: folder, source: manifest.source, alreadyInstalled: false, fetched: done.reduce((n, d) => n + d.result.fetched, 0), files: manifest.files }
}
