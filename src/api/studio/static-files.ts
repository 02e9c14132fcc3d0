import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { ApiError } from '../errors.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8'
}

/** A file of the built Studio, ready to send. */
export interface StaticFile {
  body: Buffer
  contentType: string
  /** Hashed assets never change under their name; index.html is checked every time. */
  immutable: boolean
}

/** A path inside the Studio's folder: letters, digits, `.`, `-`, `_` and `/`, no `..`. */
const SAFE_PATH = /^[A-Za-z0-9._\-/]*$/

/**
 * The built Studio (`dist/studio`, made by `npm run build`): `/studio/<path>` is the file
 * at `<path>`; a path without an extension is a page of the app and gets `index.html`.
 *
 * @example
 * ```ts
 * const files = new StudioFiles('/usr/lib/node_modules/oa-node/dist/studio')
 * const file = await files.get('assets/index-3f2a.js')
 * ```
 */
export class StudioFiles {
  readonly dir: string

  constructor (dir: string) {
    this.dir = normalize(dir)
  }

  /** The file for a path below `/studio/`; ApiError 404 naming it, or 503 when the Studio was never built. */
  async get (path: string): Promise<StaticFile> {
    if (!SAFE_PATH.test(path) || path.split('/').includes('..')) throw new ApiError(404, 'not_found', `no Studio file at /studio/${path.slice(0, 100)}`)
    const page = extname(path) === ''
    const file = join(this.dir, page ? 'index.html' : path)
    if (!file.startsWith(this.dir + sep)) throw new ApiError(404, 'not_found', `no Studio file at /studio/${path}`)
    try {
      const info = await stat(file)
      if (!info.isFile()) throw new Error('not a file')
      return { body: await readFile(file), contentType: TYPES[extname(file)] ?? 'application/octet-stream', immutable: !page && path.startsWith('assets/') }
    } catch {
      if (page || !(await this.built())) {
        throw new ApiError(503, 'studio_not_built', `the Studio is not built in ${this.dir}; run "npm run build" in the oa-node folder`)
      }
      throw new ApiError(404, 'not_found', `no Studio file at /studio/${path}`)
    }
  }

  private async built (): Promise<boolean> {
    try {
      return (await stat(join(this.dir, 'index.html'))).isFile()
    } catch {
      return false
    }
  }
}
