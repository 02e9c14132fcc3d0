import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { StartedLine } from '../../src/cli/start.js'
import type { ChildProcess } from 'node:child_process'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oa-node')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Where and how a CLI process runs: `bin` is another copy of the CLI (default this checkout's). */
export interface CliOptions {
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
  bin?: string
  cwd?: string
}

/** Runs `oa-node <args>` as a real process and collects its output. */
export async function runCli (args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runProcess(process.execPath, [options.bin ?? BIN, ...args], options)
}

/** Runs any program as a real process (killed after `timeoutMs`, default 30 s) and collects its output. */
export async function runProcess (command: string, args: string[], options: Omit<CliOptions, 'bin'> = {}): Promise<CliResult> {
  const proc = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  // a program that cannot be started: 'close' follows with no code
  proc.once('error', (err) => { stderr += `${err.message}\n` })
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 30_000)
  const code = await new Promise<number | null>(resolve => proc.once('close', (c) => { resolve(c) }))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** A running `oa-node` process started by a test. */
export interface NodeProcess {
  proc: ChildProcess
  /** The JSON line `start --json` printed. */
  started: StartedLine
  /** Everything written on stderr so far. */
  stderr: () => string
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
  exited: Promise<number | null>
}

/**
 * Starts `oa-node start --json <args>` and waits for its start line. `prefix` runs it
 * through another command (`['ip', 'netns', 'exec', 'ns1']`), which must exec the node in its place.
 */
export async function startNodeProcess (args: string[], env?: NodeJS.ProcessEnv, options: Pick<CliOptions, 'bin' | 'cwd'> & { prefix?: string[] } = {}): Promise<NodeProcess> {
  const argv = [...(options.prefix ?? []), process.execPath, options.bin ?? BIN, 'start', '--json', ...args]
  const proc = spawn(argv[0] ?? process.execPath, argv.slice(1), { cwd: options.cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>(resolve => proc.once('exit', (code) => { resolve(code) }))
  const started = await new Promise<StartedLine>((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`node did not start within 30s: ${stderr}`)) }, 30_000)
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`node exited with ${code}: ${stderr}`)) })
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line) as StartedLine)
    })
  })
  return {
    proc,
    started,
    stderr: () => stderr,
    exited,
    stop: async (signal = 'SIGINT') => {
      if (proc.exitCode == null && proc.signalCode == null) proc.kill(signal)
      return exited
    }
  }
}

/** The process is gone: signal 0 fails, or it is a zombie that nobody has reaped yet (an orphan in a container whose init does not reap). */
export function isGone (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    // /proc/<pid>/stat: "pid (name) state ..."; Z is a process that has exited
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ')'))
  } catch {
    return false
  }
}
