import { pathToFileURL } from 'node:url'
import { ApiClient } from '../api/client.js'
import { isMod } from '../mods/contract.js'
import { clientDataDir } from './status.js'
import type { ModJson } from '../api/server.js'
import type { ModApi, ModCommand } from '../mods/contract.js'
import type { Command } from 'commander'

/** The value of `-d`/`--data-dir` in a command line, if it has one. */
function dataDirOf (argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '-d' || arg === '--data-dir') return argv[i + 1]
    if (arg.startsWith('--data-dir=')) return arg.slice('--data-dir='.length)
  }
  return undefined
}

/** The user mods of the running node of the command line's data dir that have commands, loaded from their modules; none when no node runs there. */
async function runningModCommands (argv: string[]): Promise<Array<{ name: string, description: string, commands: ModCommand[], client: ApiClient }>> {
  let client: ApiClient
  let mods: ModJson[]
  try {
    client = await ApiClient.fromDataDir(clientDataDir({ dataDir: dataDirOf(argv) }))
    mods = (await client.get<{ mods: ModJson[] }>('/v1/mods')).mods
  } catch {
    return []
  }
  const found = []
  for (const mod of mods) {
    if (mod.builtin || mod.module == null || mod.commands.length === 0) continue
    try {
      const loaded = (await import(pathToFileURL(mod.module).href) as { default?: unknown }).default
      if (isMod(loaded) && loaded.cli != null) found.push({ name: mod.name, description: mod.description ?? `the ${mod.name} mod`, commands: loaded.cli, client })
    } catch {
      // a mod that does not load here is not offered; the node reports its own
    }
  }
  return found
}

function apiOf (client: ApiClient): ModApi {
  return {
    get: async <T>(path: string) => client.get<T>(path),
    post: async <T>(path: string, body: unknown) => client.post<T>(path, body),
    delete: async <T>(path: string) => client.request<T>('DELETE', path)
  }
}

/**
 * Adds one mod's commands under `oa-node <name>`; each gets `--data-dir` and `--json`, and
 * the control API of the node `api(options)` names.
 *
 * @example
 * ```ts
 * addCommandGroup(program, 'wiki', 'wiki pages', wikiCommands, async o => apiOf(await ApiClient.fromDataDir(...)), setCode)
 * ```
 */
export function addCommandGroup (program: Command, name: string, description: string, commands: ModCommand[], api: (options: Record<string, unknown>) => Promise<ModApi>, setCode: (code: number) => void, group: (cmd: Command) => Command = c => c): Command {
  const parent = group(program.command(name).description(description))
  for (const spec of commands) {
    const cmd = parent.command(spec.name).description(spec.description)
    for (const argument of spec.arguments ?? []) cmd.argument(argument)
    for (const [flags, description, repeat] of spec.options ?? []) {
      if (repeat === 'repeat') cmd.option(flags, description, (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
      else cmd.option(flags, description)
    }
    cmd.option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)').option('--json', 'print JSON')
    cmd.action(async (...values: unknown[]) => {
      const count = spec.arguments?.length ?? 0
      const args = values.slice(0, count).flat().filter((v): v is string => typeof v === 'string')
      const options = (values[count] ?? {}) as Record<string, unknown>
      const code = await spec.run({ args, options, json: options.json === true, api: await api(options), print: (text) => { process.stdout.write(`${text}\n`) } })
      setCode(code ?? 0)
    })
  }
  return parent
}

/**
 * The commands of a built-in mod, against the running node of the command's data dir
 * (`--data-dir`, `OA_DATA_DIR`, or ~/.oa-node): offered whether or not a node runs.
 *
 * @example
 * ```ts
 * addBuiltinCommands(program, 'wiki', 'wiki pages', wikiCommands, setCode)
 * ```
 */
export function addBuiltinCommands (program: Command, name: string, description: string, commands: ModCommand[], setCode: (code: number) => void, group: (cmd: Command) => Command = c => c): Command {
  return addCommandGroup(program, name, description, commands, async (options) => apiOf(await ApiClient.fromDataDir(clientDataDir({ dataDir: typeof options.dataDir === 'string' ? options.dataDir : undefined }))), setCode, group)
}

/**
 * Adds the commands of the running node's user mods to the CLI: `oa-node <mod> <command>`.
 * Returns the names of the groups added.
 *
 * @example
 * ```ts
 * await addModCommands(program, process.argv.slice(2), setCode)   // oa-node polls create ...
 * ```
 */
export async function addModCommands (program: Command, argv: string[], setCode: (code: number) => void, group: (cmd: Command) => Command = c => c): Promise<string[]> {
  const added: string[] = []
  for (const mod of await runningModCommands(argv)) {
    addCommandGroup(program, mod.name, mod.description, mod.commands, async () => apiOf(mod.client), setCode, group)
    added.push(mod.name)
  }
  return added
}
