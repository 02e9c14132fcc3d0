import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: the nearest folder above this file whose package.json is oa-node's. */
function findPackageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }
      if (pkg.name === 'oa-node') return dir
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('oa-node: cannot find the package root')
    dir = parent
  }
}

/** Absolute path of the installed oa-node package. */
export const PACKAGE_ROOT = findPackageRoot()

/** The running oa-node version (from package.json). */
export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version

/** Path of the CLI shim, for launching child nodes. */
export const BIN_PATH = join(PACKAGE_ROOT, 'bin', 'oa-node')
