import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError } from '../config/errors.js'
import { dottedPath, formatIssues, mergeLayers } from '../config/load.js'
import { EventRegistry } from '../events/registry.js'
import { BUILTIN_MODS } from './builtin.js'
import { isMod, MOD_NAME } from './contract.js'
import type { AnyMod, FacadeAgent } from './contract.js'
import type { NodeConfig } from '../config/schema.js'

/** A mod of the node with its resolved config. */
export interface ResolvedMod {
  mod: AnyMod
  /** Its config: its section over its defaults. */
  config: unknown
  builtin: boolean
  /** The file a user mod was loaded from. */
  module?: string
}

/** The mods a node runs, in the order their services are created, and the event types they own. */
export interface ComposedMods {
  mods: ResolvedMod[]
  events: EventRegistry
  /** The facades of the mods for one agent. */
  facades: (agent: FacadeAgent, service: (name: string) => unknown) => Record<string, unknown>
}

/** Top-level fields of `GET /v1/status` that no mod may take as its name or status field. */
export const CORE_STATUS_FIELDS: ReadonlySet<string> = new Set(['peerId', 'version', 'multiaddrs', 'peers', 'connections', 'streams', 'memory', 'uptimeMs', 'limits', 'dataDir', 'mods', 'api', 'trust', 'rejected', 'llm'])

async function loadUserMod (name: string, file: string): Promise<AnyMod> {
  const where = `mods.${name}.module`
  if (!isAbsolute(file)) throw new ConfigError([`${where}: "${file}" must be a path (relative to the config file)`])
  let imported: { default?: unknown }
  try {
    imported = await import(pathToFileURL(file).href) as { default?: unknown }
  } catch (err) {
    throw new ConfigError([`${where}: cannot load mod ${file}: ${(err as Error).message.split('\n')[0] ?? ''}`])
  }
  const mod = imported.default
  if (!isMod(mod)) throw new ConfigError([`${where}: ${file} has no default export made with defineMod (write: export default defineMod({ name: '${name}', ... }))`])
  if (mod.name !== name) throw new ConfigError([`${where}: ${file} is the mod "${mod.name}"; name its entry mods.${mod.name}`])
  return mod
}

function userConfig (mod: AnyMod, entry: Record<string, unknown>): unknown {
  const { enabled: _enabled, module: _module, ...section } = entry
  const describe = (path: PropertyKey[]): string => `mods.${mod.name}.${dottedPath(path)}`
  if (mod.config == null) {
    const keys = Object.keys(section)
    if (keys.length > 0) throw new ConfigError(keys.map(k => `mods.${mod.name}.${k}: unknown key (mod ${mod.name} takes no settings)`))
    return {}
  }
  const result = mod.config.schema.safeParse(section)
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, p => p.length === 0 ? `mods.${mod.name}` : describe(p)))
  const defaults = mod.config.defaults as unknown
  return defaults != null && typeof defaults === 'object' && !Array.isArray(defaults) ? mergeLayers(defaults, result.data as object) : result.data ?? defaults
}

function checkMod (mod: AnyMod, builtin: boolean): void {
  if (!MOD_NAME.test(mod.name)) throw new ConfigError([`mods.${mod.name}: a mod name is 1-32 characters of a-z, 0-9 and "_", starting with a letter`])
  if (!builtin && CORE_STATUS_FIELDS.has(mod.name)) throw new ConfigError([`mods.${mod.name}: "${mod.name}" is a field of the node's status; give the mod another name`])
}

/**
 * The mods a node runs: the built-in ones that are not turned off, then the user mods
 * of `mods:` loaded from their modules, each with its config validated by its fragment;
 * refuses a mod another enabled one needs being off, and two mods owning one event type.
 * Throws ConfigError naming the `mods.<name>` key.
 *
 * @example
 * ```ts
 * const { mods, events } = await composeMods(config)
 * console.log(mods.map(m => m.mod.name))   // ['communities', 'channels', ..., 'polls']
 * ```
 */
export async function composeMods (config: NodeConfig, builtins: readonly AnyMod[] = BUILTIN_MODS): Promise<ComposedMods> {
  const entries = config.mods
  const resolved: ResolvedMod[] = []
  for (const mod of builtins) {
    if (entries[mod.name]?.enabled === false) continue
    const section = mod.config?.section
    const value: unknown = section == null ? mod.config?.defaults : (config as unknown as Record<string, unknown>)[section]
    resolved.push({ mod, config: value ?? mod.config?.defaults ?? {}, builtin: true })
  }
  for (const [name, entry] of Object.entries(entries)) {
    if (entry.module == null || entry.enabled === false) continue
    const mod = await loadUserMod(name, entry.module)
    checkMod(mod, false)
    resolved.push({ mod, config: userConfig(mod, entry), builtin: false, module: entry.module })
  }
  const enabled = new Set(resolved.map(r => r.mod.name))
  const problems: string[] = []
  for (const { mod } of resolved) {
    for (const need of mod.needs ?? []) {
      if (enabled.has(need)) continue
      const known = builtins.some(b => b.name === need) || entries[need] != null
      problems.push(known
        ? `mods.${need}.enabled: mod ${need} is off, but mod ${mod.name} needs it (turn ${mod.name} off too, or ${need} on)`
        : `mods.${mod.name}: needs mod "${need}", which this node does not have`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  const events = new EventRegistry()
  for (const { mod } of resolved) {
    for (const spec of mod.events ?? []) {
      try {
        events.register(spec, mod.name)
      } catch (err) {
        throw new ConfigError([`mods.${mod.name}: ${(err as Error).message}`])
      }
    }
  }
  const facades: ComposedMods['facades'] = (agent, service) => {
    const out: Record<string, unknown> = {}
    for (const { mod } of resolved) {
      const instance = service(mod.name)
      if (mod.agent != null && instance != null) out[mod.name] = mod.agent(instance, agent, { service: n => service(n) })
    }
    return out
  }
  return { mods: resolved, events, facades }
}
