/**
 * How the user runs the CLI: `npx oa-node` when this process was started by `npx` or
 * `npm exec` (npm sets `npm_command=exec` and `npm_lifecycle_event=npx` for both),
 * `oa-node` otherwise. Hints that print a command use it, so the command they show is
 * one the user can paste.
 *
 * @example
 * ```ts
 * invocation({ npm_command: 'exec' })   // 'npx oa-node'
 * invocation({})                        // 'oa-node'
 * ```
 */
export function invocation (env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_command === 'exec' || env.npm_lifecycle_event === 'npx' ? 'npx oa-node' : 'oa-node'
}

/**
 * A command line to show the user, as they run the CLI.
 *
 * @example
 * ```ts
 * commandLine('start --data-dir ./n1')   // 'oa-node start --data-dir ./n1', or 'npx oa-node start --data-dir ./n1' under npx
 * ```
 */
export function commandLine (args: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${invocation(env)} ${args}`
}
