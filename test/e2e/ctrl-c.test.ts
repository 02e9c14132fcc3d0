import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN, isGone } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ChildProcess } from 'node:child_process'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--api-port', '0']

interface GroupProcess {
  proc: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
  /** Sends a signal to the whole process group, as a terminal does on Ctrl-C. */
  signalGroup: (signal: NodeJS.Signals) => void
}

/** `oa-node <args>` as the leader of its own process group, like a command typed in a terminal. */
function spawnInGroup (args: string[]): GroupProcess {
  const proc = spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  proc.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  // 'close': the process has exited and everything it wrote has been read
  const exited = new Promise<number | null>(resolve => proc.once('close', (code) => { resolve(code) }))
  return {
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    signalGroup: (signal) => { process.kill(-(proc.pid ?? 0), signal) }
  }
}

/** What a clean stop leaves behind: no lock, no API file, SQLite's WAL checkpointed away. */
function leftovers (dataDir: string): string[] {
  return readdirSync(dataDir).filter(f => f === 'node.lock' || f === 'api.json' || f.endsWith('-wal') || f.endsWith('-shm'))
}

/** The exit code, or a failure naming what did not exit within the time. */
async function exitCode (p: GroupProcess, what: string, timeoutMs = 30_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what} did not exit within ${timeoutMs} ms`)) }, timeoutMs)
  })
  try {
    return await Promise.race([p.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function lockPid (dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'node.lock'), 'utf8').trim())
}

/** The JSON log entries the cluster relayed from its nodes (it is not on a terminal). */
function relayedEntries (stderr: string): Array<{ node?: string, msg?: string, reason?: string }> {
  return stderr.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l) as { node?: string, msg?: string, reason?: string })
}

let dir: { path: string, cleanup: () => Promise<void> }
let running: GroupProcess | undefined
beforeEach(async () => { dir = await tempDir() })
afterEach(async () => {
  if (running != null && running.proc.exitCode == null && running.proc.signalCode == null) {
    try {
      running.signalGroup('SIGKILL')
    } catch {
      // the group is gone already
    }
    await running.exited
  }
  running = undefined
  await dir.cleanup()
})

const DATA_DIRS = ['node-1', 'node-2', 'node-3']

describe('Ctrl-C on cluster', () => {
  it('stops every node once and cleanly: exit 0, no lock, api.json, -wal or -shm left', async () => {
    const root = join(dir.path, 'c')
    const cluster = running = spawnInGroup(['cluster', '--nodes', '3', '--data-dir', root, '--verbose'])
    await waitFor('the cluster table', () => cluster.stdout().includes('3 nodes running'), 90_000)
    const pids = DATA_DIRS.map(n => lockPid(join(root, n)))
    for (const n of DATA_DIRS) expect(existsSync(join(root, n, 'channels.db-wal'))).toBe(true)

    cluster.signalGroup('SIGINT')
    const code = await exitCode(cluster, 'the cluster')
    expect(code).toBe(0)
    expect(cluster.stderr()).not.toContain('second stop signal')
    expect(cluster.stderr()).not.toContain('exited unexpectedly')
    for (const n of DATA_DIRS) expect(leftovers(join(root, n))).toEqual([])
    for (const pid of pids) expect(isGone(pid)).toBe(true)
    // one stop request per node, logged by the node as one JSON entry the cluster named
    const stops = relayedEntries(cluster.stderr()).filter(e => e.msg === 'stopping')
    expect(stops.map(e => `${e.node ?? '?'} ${e.reason ?? '?'}`).sort()).toEqual(['node-1 SIGTERM', 'node-2 SIGTERM', 'node-3 SIGTERM'])
    expect(relayedEntries(cluster.stderr()).filter(e => e.msg === 'stopped').map(e => e.node).sort()).toEqual(DATA_DIRS)
  }, 150_000)

  it('a second Ctrl-C kills the nodes that have not stopped yet, exit 1', async () => {
    const root = join(dir.path, 'c')
    const cluster = running = spawnInGroup(['cluster', '--nodes', '2', '--data-dir', root])
    await waitFor('the cluster table', () => cluster.stdout().includes('2 nodes running'), 90_000)
    const pids = ['node-1', 'node-2'].map(n => lockPid(join(root, n)))
    // a node that cannot act on its stop request (stopped by SIGSTOP) keeps the cluster waiting
    const [frozen] = pids
    process.kill(frozen!, 'SIGSTOP')
    try {
      cluster.signalGroup('SIGINT')
      await waitFor('the cluster to announce the stop', () => cluster.stderr().includes('stopping 2 nodes'))
      await waitFor('node-2 to stop', () => isGone(pids[1]!))
      expect(cluster.proc.exitCode).toBeNull()
      cluster.signalGroup('SIGINT')
      const code = await exitCode(cluster, 'the cluster')
      expect(code).toBe(1)
      expect(cluster.stderr()).toContain('second stop signal: killing the nodes still running')
      await waitFor('the frozen node to be killed', () => isGone(frozen!))
      expect(leftovers(join(root, 'node-2'))).toEqual([])
    } finally {
      if (!isGone(frozen!)) process.kill(frozen!, 'SIGKILL')
    }
  }, 150_000)
})

describe('Ctrl-C on start', () => {
  it('one Ctrl-C to the terminal\'s process group (node and store process) is one clean stop', async () => {
    const dataDir = join(dir.path, 'n1')
    const node = running = spawnInGroup(['start', '--json', '--data-dir', dataDir, ...LOOPBACK, '--log-level', 'info', '--log-format', 'json'])
    await waitFor('the start report', () => node.stdout().includes('"event":"started"'), 60_000)
    expect(leftovers(dataDir).sort()).toEqual(['api.json', 'channels.db-shm', 'channels.db-wal', 'forum.db-shm', 'forum.db-wal', 'node.lock', 'social.db-shm', 'social.db-wal', 'wiki.db-shm', 'wiki.db-wal'])

    node.signalGroup('SIGINT')
    const code = await exitCode(node, 'the node')
    expect(code).toBe(0)
    expect(node.stderr()).not.toContain('second stop signal')
    expect(leftovers(dataDir)).toEqual([])
    const entries = relayedEntries(node.stderr())
    expect(entries.filter(e => e.msg === 'stopping').map(e => e.reason)).toEqual(['SIGINT'])
    expect(entries.some(e => e.msg === 'stopped')).toBe(true)
  }, 90_000)
})
