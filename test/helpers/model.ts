import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_MODEL, MANIFEST_FILE, modelDir, readInstalledModel } from '../../src/models/manifest.js'
import type { InstalledModel } from '../../src/models/manifest.js'

/**
 * The installed neural model the tests of meaning run on (npm run models:test puts it in
 * ~/.oa-node/models, OA_MODEL_DIR elsewhere). A test that needs it fails, naming the
 * command, when it is missing: it is never skipped.
 */
export async function testModel (): Promise<InstalledModel> {
  const dir = modelDir(process.env.OA_MODEL_DIR)
  if (!existsSync(join(dir, DEFAULT_MODEL, MANIFEST_FILE))) throw new Error(`these tests need the embedding model ${DEFAULT_MODEL} in ${dir}: run npm run models:test`)
  const model = await readInstalledModel(dir, DEFAULT_MODEL)
  if (model == null) throw new Error(`no ${DEFAULT_MODEL} in ${dir}`)
  return model
}
