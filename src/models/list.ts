import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { MANIFEST_FILE, ModelManifestError, readInstalledModel } from './manifest.js'
import type { InstalledModel } from './manifest.js'
import { modelProblems } from './problems.js'
import { PARTIAL_DIR } from './pull.js'

/** A model folder with a valid manifest and every file it lists. */
export interface ListedModel extends InstalledModel {
  /** Bytes of the folder's files on disk. */
  bytes: number
}

/** A model folder that cannot be used, and why. */
export interface BrokenModel {
  name: string
  dir: string
  problem: string
}

/** The models of a model dir. */
export interface ModelListing {
  dir: string
  models: ListedModel[]
  broken: BrokenModel[]
}

async function folderBytes (dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  }
  return total
}

/**
 * Every model folder of `dir`: those with a valid manifest and their files, and the broken ones
 * (no manifest, a manifest that is not one, files missing or, with `verify`, changed) with their
 * problem. A dir that does not exist has no models.
 *
 * @example
 * ```ts
 * const { models, broken } = await listModels(modelDir(), { verify: true })
 * models.map(m => m.manifest.name)   // ['all-minilm-l6-v2']
 * ```
 */
export async function listModels (dir: string, options: { verify?: boolean } = {}): Promise<ModelListing> {
  const listing: ModelListing = { dir, models: [], broken: [] }
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return listing
    throw err
  }
  for (const entry of entries.filter(e => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = join(dir, entry.name)
    let model: InstalledModel | undefined
    try {
      model = await readInstalledModel(dir, entry.name)
    } catch (err) {
      if (!(err instanceof ModelManifestError)) throw err
      listing.broken.push({ name: entry.name, dir: folder, problem: err.message })
      continue
    }
    if (model == null) {
      const partial = await stat(join(folder, PARTIAL_DIR)).then(() => true, () => false)
      listing.broken.push({
        name: entry.name,
        dir: folder,
        problem: partial
          ? `no ${MANIFEST_FILE}: a pull did not finish (oa-node models pull ${entry.name} resumes it)`
          : `no ${MANIFEST_FILE}: not a complete model`
      })
      continue
    }
    const problems = await modelProblems(model, options.verify === true)
    if (problems.length > 0) {
      listing.broken.push({ name: entry.name, dir: folder, problem: problems.join('; ') })
      continue
    }
    listing.models.push({ ...model, bytes: await folderBytes(folder) })
  }
  return listing
}
