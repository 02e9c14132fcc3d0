import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ensurePrivateDir, writePrivateFile } from '../files/private-files.js'
import { decodeObject, encodeObject } from './objects.js'
import type { CommunityObject } from './objects.js'

/** A community file that cannot be read; `file` names it. */
export class CommunityFileError extends Error {
  override readonly name = 'CommunityFileError'
  readonly file: string
  constructor (file: string, message: string) {
    super(`${file}: ${message}`)
    this.file = file
  }
}

/** The folder of community files in a data dir. */
export function communitiesDir (dataDir: string): string {
  return join(dataDir, 'communities')
}

/**
 * Writes the objects of one community to `<data dir>/communities/<id>.json` (mode 0600),
 * atomically: a crash leaves the old file or the new one, never half of one.
 *
 * @example
 * ```ts
 * await writeCommunityFile(dataDir, state.id, state.objects())
 * ```
 */
export async function writeCommunityFile (dataDir: string, id: string, objects: CommunityObject[]): Promise<void> {
  const dir = communitiesDir(dataDir)
  await ensurePrivateDir(dir)
  await writePrivateFile(join(dir, `${id}.json`), JSON.stringify({ v: 1, objects: objects.map(o => Buffer.from(encodeObject(o)).toString('base64')) }))
}

/** Every community file of a data dir: its id and its objects, not yet verified. */
export async function readCommunityFiles (dataDir: string): Promise<Array<{ id: string, file: string, objects: CommunityObject[] }>> {
  const dir = communitiesDir(dataDir)
  const names = await readdir(dir).catch((err: unknown) => { if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; throw err })
  const out = []
  for (const name of names.filter(n => /^c[0-9a-f]{40}\.json$/.test(n)).sort()) {
    const file = join(dir, name)
    let parsed: { objects?: unknown }
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as { objects?: unknown }
    } catch (err) {
      throw new CommunityFileError(file, `not readable JSON (${(err as Error).message})`)
    }
    if (!Array.isArray(parsed.objects) || !parsed.objects.every(o => typeof o === 'string')) throw new CommunityFileError(file, 'holds no list of objects')
    let objects: CommunityObject[]
    try {
      objects = parsed.objects.map(o => decodeObject(Uint8Array.from(Buffer.from(o, 'base64'))))
    } catch (err) {
      throw new CommunityFileError(file, `an object does not decode (${(err as Error).message})`)
    }
    out.push({ id: name.slice(0, -5), file, objects })
  }
  return out
}
