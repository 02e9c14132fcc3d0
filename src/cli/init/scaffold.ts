import { existsSync, statSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { AGENT_NAME, COMMUNITY_NAME } from '../../config/schema.js'
import { PACKAGE_ROOT } from '../../version.js'

/** The project template: every file under it is copied, with its placeholders filled in. */
export const TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'project')

/** Why a project was not made; the CLI prints the message and exits 2. */
export class ScaffoldError extends Error {
  override readonly name = 'ScaffoldError'
}

export interface ScaffoldOptions {
  /** Folder of the new project: created when missing, refused when not empty. */
  dir: string
  /** Name of the agent, its module (`agents/<agent>.js`) and its test (default `faq`). */
  agent?: string
  /** Community the project's node joins (default `my-community`). */
  community?: string
  /**
   * How the project depends on oa-node, as package.json says it: a folder or tarball
   * path (made `file:<absolute path>`), or any npm spec. Default: this oa-node's folder.
   */
  dependency?: string
}

export interface ScaffoldResult {
  /** Absolute path of the project. */
  dir: string
  /** Files made, relative to `dir`, `/`-separated. */
  files: string[]
  agent: string
  community: string
  /** The `oa-node` entry of the project's `dependencies`. */
  dependency: string
}

export const DEFAULT_AGENT = 'faq'
export const DEFAULT_COMMUNITY = 'my-community'

/** A package name npm accepts, from a folder name: "My Agents!" -> "my-agents". */
export function packageName (folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9._~-]+/g, '-').replace(/^[._-]+/, '').replace(/-+$/, '').slice(0, 214)
  return name === '' ? 'my-agents' : name
}

/** The dependency spec for oa-node: paths become `file:<absolute path>`, other specs stay. */
export function dependencySpec (spec: string | undefined, cwd = process.cwd()): string {
  if (spec == null) return `file:${PACKAGE_ROOT}`
  if (spec.trim() === '') throw new ScaffoldError('--oa-node: the dependency is empty')
  if (spec.startsWith('file:')) return spec
  const path = resolve(cwd, spec)
  if (existsSync(path)) return `file:${path}`
  if (/^[./~]/.test(spec) || spec.endsWith('.tgz')) throw new ScaffoldError(`--oa-node: ${spec}: no such folder or tarball`)
  return spec
}

/** The oa-node folder a `file:` spec names, when it is a folder (npm links it and runs its `prepare`). */
function linkedFolder (spec: string): string | undefined {
  if (!spec.startsWith('file:')) return undefined
  try {
    return statSync(spec.slice('file:'.length)).isDirectory() ? spec : undefined
  } catch {
    return undefined
  }
}

function projectPackage (name: string, dependency: string): string {
  const link = linkedFolder(dependency)
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    description: 'Agents for oa-node',
    type: 'module',
    engines: { node: '>=22.13' },
    scripts: {
      start: 'oa-node start --config node.yaml',
      test: 'node --test'
    },
    dependencies: { 'oa-node': dependency },
    // npm builds a linked oa-node folder (its `prepare` script) when it installs it;
    // this says that is expected, so npm does not ask about it
    ...(link == null ? {} : { allowScripts: { [link]: true } })
  }
  return `${JSON.stringify(pkg, null, 2)}\n`
}

async function templateFiles (dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`
    if (entry.isDirectory()) out.push(...await templateFiles(join(dir, entry.name), rel))
    else out.push(rel)
  }
  return out
}

/** Where a template file goes: placeholders in its name filled, `gitignore` -> `.gitignore` (npm drops dot-gitignore files from packages). */
function targetName (template: string, agent: string): string {
  return template.replaceAll('__AGENT__', agent).replace(/(^|\/)gitignore$/, '$1.gitignore')
}

async function checkEmpty (dir: string): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return
    if (code === 'ENOTDIR') throw new ScaffoldError(`${dir} is a file, not a folder`)
    throw new ScaffoldError(`cannot read ${dir} (${code ?? (err as Error).message})`)
  }
  if (entries.length > 0) {
    const shown = entries.sort().slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '')
    throw new ScaffoldError(`${dir} is not empty (${shown}); oa-node init makes a project in a new or empty folder`)
  }
}

/**
 * Makes a project of your own agents: `package.json` (depending on oa-node),
 * `node.yaml`, `agents/<agent>.js`, `test/<agent>.test.js`, `README.md`, `.gitignore`.
 * Refuses a folder that is not empty.
 *
 * @example
 * ```ts
 * const { files } = await scaffoldProject({ dir: './my-agents', agent: 'faq' })
 * // files: ['.gitignore', 'README.md', 'agents/faq.js', 'node.yaml', 'package.json', 'test/faq.test.js']
 * ```
 */
export async function scaffoldProject (options: ScaffoldOptions): Promise<ScaffoldResult> {
  const agent = options.agent ?? DEFAULT_AGENT
  const community = options.community ?? DEFAULT_COMMUNITY
  if (!AGENT_NAME.test(agent)) throw new ScaffoldError(`--agent: "${agent}" is not an agent name (1-64 characters of letters, digits, "_" and "-")`)
  if (!COMMUNITY_NAME.test(community)) throw new ScaffoldError(`--community: "${community}" is not a community name (1-63 characters of a-z, 0-9, "_" and "-", starting with a letter or digit)`)
  const dependency = dependencySpec(options.dependency)
  const dir = resolve(options.dir)
  await checkEmpty(dir)
  const name = packageName(basename(dir))
  const fill = (text: string): string => text.replaceAll('__AGENT__', agent).replaceAll('__COMMUNITY__', community).replaceAll('__PROJECT__', name)

  const contents = new Map<string, string>([['package.json', projectPackage(name, dependency)]])
  let templates: string[]
  try {
    templates = await templateFiles(TEMPLATE_DIR)
  } catch (err) {
    throw new Error(`cannot read the project template ${TEMPLATE_DIR} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): this copy of oa-node is incomplete`, { cause: err })
  }
  for (const template of templates) {
    contents.set(targetName(template, agent), fill(await readFile(join(TEMPLATE_DIR, ...template.split('/')), 'utf8')))
  }
  await mkdir(dir, { recursive: true })
  // re-checked now that it exists: a folder filled meanwhile is not written into
  await checkEmpty(dir)
  for (const [file, text] of contents) {
    const path = join(dir, ...file.split('/'))
    if (!path.startsWith(dir + sep)) throw new ScaffoldError(`template file ${file} is outside the project`)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, text, { flag: 'wx' })
  }
  return { dir, files: [...contents.keys()].sort(), agent, community, dependency }
}
