import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { ConfigError } from './errors.js'
import { configLayerSchema, DEFAULTS } from './schema.js'
import { memoryChoiceProblems } from '../memory/config.js'
import { remoteProblems } from '../mods/a2a/config.js'
import { BUILTIN_MOD_NAMES } from '../mods/builtin-names.js'
import { MOD_NAME } from '../mods/contract.js'
import type { ConfigLayer, NodeConfig } from './schema.js'
import type { z } from 'zod'

/** Turns the path of a problem inside a layer into the name the user typed. */
export type DescribePath = (path: PropertyKey[]) => string

export function dottedPath (path: PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out === '' ? '(top level)' : out
}

/** Each zod issue as `<where>: <problem>`, an unknown key as `<where>.<key>: unknown key`. */
export function formatIssues (issues: z.core.$ZodIssue[], describe: DescribePath): string[] {
  const problems: string[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${describe([...issue.path, key])}: unknown key`)
    } else {
      problems.push(`${describe(issue.path)}: ${issue.message}`)
    }
  }
  return problems
}

/**
 * Validates one layer of configuration, naming each problem with `describe`.
 *
 * @example
 * ```ts
 * validateLayer({ network: { listne: [] } }, p => `node.yaml: ${dottedPath(p)}`)
 * // throws ConfigError: node.yaml: network.listne: unknown key
 * ```
 */
export function validateLayer (raw: unknown, describe: DescribePath): ConfigLayer {
  const result = configLayerSchema.safeParse(raw ?? {})
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, describe))
  return result.data
}

/** Reads and validates a YAML config file. */
export async function loadConfigFile (path: string): Promise<ConfigLayer> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError([`${path}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`])
  }
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (err) {
    throw new ConfigError([`${path}: invalid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`])
  }
  if (raw != null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError([`${path}: the top level must be a mapping of keys`])
  }
  const layer = validateLayer(raw, p => `${path}: ${dottedPath(p)}`)
  // agent modules are named relative to the file that names them
  for (const agent of layer.agents ?? []) {
    if (agent.module != null && !isAbsolute(agent.module)) agent.module = resolve(dirname(resolve(path)), agent.module)
  }
  // so is the swarm key file
  if (layer.network?.swarmKey != null && !isAbsolute(layer.network.swarmKey)) layer.network.swarmKey = resolve(dirname(resolve(path)), layer.network.swarmKey)
  for (const entry of Object.values(layer.mods ?? {})) {
    if (entry.module != null && !isAbsolute(entry.module)) entry.module = resolve(dirname(resolve(path)), entry.module)
  }
  return layer
}

interface EnvVar {
  path: string[]
  kind: 'string' | 'list' | 'boolean' | 'integer'
}

/** Every environment variable the node reads, and the config key it sets. */
export const ENV_VARS: Record<string, EnvVar> = {
  OA_CONFIG: { path: [], kind: 'string' },
  OA_DATA_DIR: { path: ['dataDir'], kind: 'string' },
  OA_LISTEN: { path: ['network', 'listen'], kind: 'list' },
  OA_ANNOUNCE: { path: ['network', 'announce'], kind: 'list' },
  OA_BOOTSTRAP: { path: ['network', 'bootstrap'], kind: 'list' },
  OA_MDNS: { path: ['network', 'mdns'], kind: 'boolean' },
  OA_SWARM_KEY: { path: ['network', 'swarmKey'], kind: 'string' },
  OA_UPNP: { path: ['network', 'upnp'], kind: 'boolean' },
  OA_RELAY_SERVE: { path: ['network', 'relay', 'serve'], kind: 'boolean' },
  OA_MAX_CONNECTIONS: { path: ['network', 'maxConnections'], kind: 'integer' },
  OA_API_PORT: { path: ['api', 'port'], kind: 'integer' },
  OA_API_METRICS: { path: ['api', 'metrics'], kind: 'boolean' },
  OA_COMMUNITIES: { path: ['communities'], kind: 'list' },
  OA_LOG_LEVEL: { path: ['log', 'level'], kind: 'string' },
  OA_LOG_FORMAT: { path: ['log', 'format'], kind: 'string' },
  OA_EMBEDDER: { path: ['memory', 'embedder'], kind: 'string' },
  OA_MODEL_DIR: { path: ['memory', 'modelDir'], kind: 'string' }
}

/** Variables other tools use too (OpenAI-compatible clients, Milvus): read as they are named. */
export const STANDARD_ENV_VARS: Record<string, EnvVar> = {
  OPENAI_BASE_URL: { path: ['llm', 'baseUrl'], kind: 'string' },
  OPENAI_API_KEY: { path: ['llm', 'apiKey'], kind: 'string' },
  OPENAI_MODEL: { path: ['llm', 'model'], kind: 'string' },
  OPENAI_EMBEDDING_MODEL: { path: ['memory', 'embeddingModel'], kind: 'string' },
  MILVUS_ADDRESS: { path: ['memory', 'milvus', 'address'], kind: 'string' },
  MILVUS_TOKEN: { path: ['memory', 'milvus', 'token'], kind: 'string' }
}

function convertEnv (name: string, kind: EnvVar['kind'], value: string): unknown {
  switch (kind) {
    case 'string': return value
    case 'list': return value.split(',').map(s => s.trim()).filter(s => s !== '')
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(value)) return true
      if (/^(0|false|no|off)$/i.test(value)) return false
      throw new ConfigError([`${name}: expected true or false, got "${value}"`])
    case 'integer': {
      if (!/^-?\d+$/.test(value.trim())) throw new ConfigError([`${name}: expected a whole number, got "${value}"`])
      return Number(value)
    }
  }
}

function setPath (target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    node[key] ??= {}
    node = node[key] as Record<string, unknown>
  }
  const last = path.at(-1)
  if (last != null) node[last] = value
}

/**
 * Reads `OA_*` environment variables into a config layer. An `OA_` variable the node
 * does not know is an error, so a typo is not silently ignored.
 */
export function configFromEnv (env: NodeJS.ProcessEnv): ConfigLayer {
  const raw: Record<string, unknown> = {}
  const owner = new Map<string, string>()
  const problems: string[] = []
  for (const [name, value] of Object.entries(env)) {
    if (value == null || value === '') continue
    const spec = ENV_VARS[name] ?? STANDARD_ENV_VARS[name]
    if (!name.startsWith('OA_') && spec == null) continue
    if (spec == null) {
      problems.push(`${name}: unknown environment variable (known: ${Object.keys(ENV_VARS).join(', ')})`)
      continue
    }
    if (spec.path.length === 0) continue
    try {
      setPath(raw, spec.path, convertEnv(name, spec.kind, value))
      owner.set(spec.path.join('.'), name)
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems)
      else throw err
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return validateLayer(raw, p => {
    const key = p.filter(k => typeof k === 'string').join('.')
    for (const [path, name] of owner) if (key === path || key.startsWith(`${path}.`)) return name
    return dottedPath(p)
  })
}

/** The environment without the variables other tools share. */
function withoutStandardVars (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => STANDARD_ENV_VARS[name] == null))
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value)
}

/** Deep-merges layers; later layers win, arrays are replaced, not concatenated. */
export function mergeLayers<T extends object> (base: T, ...layers: Array<object | undefined>): T {
  const out = structuredClone(base) as Record<string, unknown>
  for (const layer of layers) {
    if (layer == null) continue
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue
      const current = out[key]
      out[key] = isPlainObject(current) && isPlainObject(value) ? mergeLayers(current, value) : structuredClone(value)
    }
  }
  return out as T
}

/** `~` and relative paths, made absolute. */
export function resolveDataDir (dir: string, cwd = process.cwd()): string {
  if (dir === '~') return homedir()
  if (dir.startsWith('~/')) return resolve(homedir(), dir.slice(2))
  return resolve(cwd, dir)
}

export const DEFAULT_DATA_DIR = '~/.oa-node'

export interface LoadConfigOptions {
  /** Path of a YAML config file (`--config`, or `OA_CONFIG`). */
  file?: string
  env?: NodeJS.ProcessEnv
  /** The layer made from command-line flags, already validated. */
  flags?: ConfigLayer
}

/** What is wrong with the `mods:` entries: a built-in mod's entry takes only `enabled`; any other needs a `module`. */
function modEntryProblems (mods: NodeConfig['mods']): string[] {
  const problems: string[] = []
  const builtin = new Set<string>(BUILTIN_MOD_NAMES)
  for (const [name, entry] of Object.entries(mods)) {
    if (!MOD_NAME.test(name)) {
      problems.push(`mods.${name}: a mod name is 1-32 characters of a-z, 0-9 and "_", starting with a letter`)
    } else if (builtin.has(name)) {
      if (entry.module != null) problems.push(`mods.${name}.module: "${name}" is a built-in mod; give your mod another name`)
      for (const key of Object.keys(entry)) {
        if (key !== 'enabled' && key !== 'module') problems.push(`mods.${name}.${key}: unknown key (a built-in mod's entry takes only "enabled"${SECTIONS.has(name) ? `; its settings are under ${name}:` : ''})`)
      }
    } else if (entry.module == null) {
      problems.push(`mods.${name}: no built-in mod is named "${name}" (built-in: ${BUILTIN_MOD_NAMES.join(', ')}); give "module: <file>" to load a mod of your own`)
    }
  }
  return problems
}

/** Built-in mods whose settings have a top-level section of their own. */
const SECTIONS = new Set(['channels', 'discovery', 'memory', 'agents', 'a2a'])

/**
 * Builds the node configuration from defaults, a YAML file, `OA_*` environment
 * variables and flags, in that order of precedence (flags win).
 *
 * @example
 * ```ts
 * const config = await loadConfig({ file: 'node.yaml', env: process.env, flags: { api: { port: 0 } } })
 * ```
 */
export async function loadConfig (options: LoadConfigOptions = {}): Promise<NodeConfig> {
  const env = options.env ?? {}
  const envLayer = configFromEnv(env)
  const file = options.file ?? env.OA_CONFIG
  const fileLayer = file != null ? await loadConfigFile(file) : undefined
  const merged = mergeLayers<NodeConfig>({ ...DEFAULTS, dataDir: DEFAULT_DATA_DIR }, fileLayer, envLayer, options.flags)
  merged.dataDir = resolveDataDir(merged.dataDir)
  if (merged.network.swarmKey != null) merged.network.swarmKey = resolveDataDir(merged.network.swarmKey)
  // the variables other tools share (MILVUS_ADDRESS, OPENAI_EMBEDDING_MODEL, ...) are read only
  // where the chosen store or embedder uses them; a key set on purpose (file, OA_*, flags) must apply
  const onPurpose = mergeLayers<ConfigLayer>({}, fileLayer, configFromEnv(withoutStandardVars(env)), options.flags)
  const problems: string[] = memoryChoiceProblems(onPurpose.memory, merged.memory)
  merged.agents.forEach((agent, i) => {
    agent.community ??= merged.communities[0]
    if (agent.community == null) problems.push(`agents[${i}].community: agent "${agent.name}" needs a community (set it, or join one with communities / --community)`)
  })
  const names = merged.agents.map(a => a.name)
  const duplicate = names.find((n, i) => names.indexOf(n) !== i)
  if (duplicate != null) problems.push(`agents: two agents are named "${duplicate}"; names are unique on a node`)
  problems.push(...modEntryProblems(merged.mods))
  problems.push(...remoteProblems(merged.a2a.remote, names))
  if (problems.length > 0) throw new ConfigError(problems)
  // a node joins the communities of the agents it hosts, external A2A agents included
  merged.communities = [...new Set([...merged.communities, ...merged.agents.map(a => a.community ?? ''), ...merged.a2a.remote.map(r => r.community)])]
  return merged
}
