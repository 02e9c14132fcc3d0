import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { COMMUNITY_NAME } from '../config/schema.js'
import { writePrivateFile } from '../files/private-files.js'
import { CommunityFileError } from './files.js'

/**
 * What `community join <name>` and `community leave <name>` decided, kept across
 * restarts in `<data dir>/memberships.json`. A name is in one list at most.
 */
export interface Memberships {
  /** Open communities joined by name on a running node: joined again at every start. */
  joined: string[]
  /** Communities left on a running node: not joined at a start unless the config or a flag names them. */
  left: string[]
}

/** The file of a data dir that holds `Memberships`. */
export function membershipsFile (dataDir: string): string {
  return join(dataDir, 'memberships.json')
}

function names (file: string, value: unknown, key: string): string[] {
  if (!Array.isArray(value)) throw new CommunityFileError(file, `"${key}" is not a list of community names`)
  for (const name of value) {
    if (typeof name !== 'string' || !COMMUNITY_NAME.test(name)) throw new CommunityFileError(file, `"${key}" holds ${JSON.stringify(name)}, which is not a community name`)
  }
  const list = value as string[]
  if (new Set(list).size !== list.length) throw new CommunityFileError(file, `"${key}" names a community twice`)
  return list
}

/**
 * Reads `<data dir>/memberships.json`; an absent file is empty lists. Throws
 * CommunityFileError naming the file and what is wrong with it.
 *
 * @example
 * ```ts
 * const { joined, left } = await readMemberships('./n1')
 * ```
 */
export async function readMemberships (dataDir: string): Promise<Memberships> {
  const file = membershipsFile(dataDir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { joined: [], left: [] }
    throw new CommunityFileError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new CommunityFileError(file, `not readable JSON (${(err as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed == null || Array.isArray(parsed)) throw new CommunityFileError(file, 'is not a JSON object')
  const { v, joined, left, ...rest } = parsed as Record<string, unknown>
  if (v !== 1) throw new CommunityFileError(file, `version ${JSON.stringify(v)} is not one this node reads (1)`)
  const extra = Object.keys(rest)
  if (extra.length > 0) throw new CommunityFileError(file, `unknown key "${extra[0] ?? ''}"`)
  const memberships = { joined: names(file, joined, 'joined'), left: names(file, left, 'left') }
  const both = memberships.joined.find(n => memberships.left.includes(n))
  if (both != null) throw new CommunityFileError(file, `names ${both} both joined and left`)
  return memberships
}

/**
 * Writes `<data dir>/memberships.json` (mode 0600) atomically: a temporary file, then a
 * rename. Callers in one process must not write it twice at once.
 *
 * @example
 * ```ts
 * await writeMemberships('./n1', { joined: ['lobby'], left: [] })
 * ```
 */
export async function writeMemberships (dataDir: string, memberships: Memberships): Promise<void> {
  const sorted = { v: 1, joined: [...memberships.joined].sort(), left: [...memberships.left].sort() }
  await writePrivateFile(membershipsFile(dataDir), `${JSON.stringify(sorted, null, 2)}\n`)
}

/** What `checkMemberships` found. */
export interface MembershipsCheck {
  present: boolean
  joined: string[]
  left: string[]
  /** Damage: the file does not read, or holds what the node never writes. */
  problems: string[]
}

/**
 * Checks `<data dir>/memberships.json` without changing it, for `oa-node check`.
 *
 * @example
 * ```ts
 * const { present, problems } = await checkMemberships('./n1')
 * ```
 */
export async function checkMemberships (dataDir: string): Promise<MembershipsCheck> {
  const present = await access(membershipsFile(dataDir)).then(() => true, () => false)
  try {
    return { present, ...await readMemberships(dataDir), problems: [] }
  } catch (err) {
    return { present, joined: [], left: [], problems: [(err as Error).message] }
  }
}
