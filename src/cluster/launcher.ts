import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { BIN_PATH } from '../version.js'
import type { StartedLine } from '../cli/start.js'
import type { ChildProcess } from 'node:child_process'

export interface ClusterInit {
  /** How many nodes (>= 1). */
  nodes: number
  /** Parent folder of the nodes' data dirs; default a new temp folder, removed at stop. */
  dataDir?: string
  /** Node i listens on TCP base+3i, WS base+3i+1, API base+3i+2; 0 (default) = free ports. */
  basePort?: number
  /** Extra `start` arguments for node i (0-based): `--community`, `--config`, ... */
  args?: (index: number) => string[]
  /** Seconds to wait for each node to report it started. Default 30. */
  startTimeoutS?: number
  /** Called when a node exits while the cluster was not stopping it. */
  onUnexpectedExit?: (node: ClusterNode, code: number | null, signal: NodeJS.Signals | null) => void
  /** Called with each line a node writes to stderr: its logs, one JSON entry per line. */
  onLog?: (node: ClusterNode, line: string) => void
  /** Called as node `index` (0-based) is launched, before it reports that it started. */
  onStarting?: (index: number, name: string) => void
  /** Aborting it while the nodes start stops those launched and rejects with a ClusterStartError. */
  signal?: AbortSignal
}

/** One running node of a cluster. */
export interface ClusterNode {
  name: string
  peerId: string
  /** Listen multiaddrs with `/p2p/<peer id>`. */
  multiaddrs: string[]
  api: string
  dataDir: string
  pid: number
}

/** A running local cluster: its nodes and a stop that leaves no process behind. */
export interface Cluster {
  nodes: ClusterNode[]
  /** Root folder of the nodes' data dirs. */
  dataDir: string
  /**
   * Asks every node to stop (once: SIGTERM, or closing its stdin on Windows) and
   * resolves when all have exited; a node still running after 7 s is killed.
   */
  stop(): Promise<void>
  /** Kills every node still running (SIGKILL), e.g. on a second Ctrl-C during stop. */
  kill(): void
  /** Resolves when no node is left running (all exited, for any reason). */
  exited: Promise<void>
}

/**
 * A node did not start. The message names the node and says why: in one line, the node's
 * own error line when it printed one (`oa-node: ...`), else with all it printed on stderr,
 * which `output` holds either way.
 */
export class ClusterStartError extends Error {
  override readonly name = 'ClusterStartError'
  /** The node's own one-line error, without the `oa-node: ` prefix, when it printed one. */
  readonly reason?: string
  /** What the node printed on stderr (its first 50 lines). */
  readonly output: string[]

  constructor (node: string, why: string, output: string[]) {
    const own = output.findLast(line => line.startsWith('oa-node: '))?.slice('oa-node: '.length)
    super(own != null ? `${node} did not start: ${own}` : `${node} did not start: ${why}${output.length > 0 ? `\n${output.join('\n')}` : ''}`)
    this.reason = own
    this.output = output
  }
}

interface Child {
  proc: ChildProcess
  node?: ClusterNode
  exited: Promise<void>
  stderr: string[]
}

const STOP_GRACE_MS = 7_000

/**
 * Nodes run in their own process group (POSIX), so the terminal's Ctrl-C reaches only
 * the cluster, which then stops each node once. Windows has no process groups (and a
 * detached child there gets its own console).
 */
const OWN_GROUP = process.platform !== 'win32'

function running (child: Child): boolean {
  return child.proc.exitCode == null && child.proc.signalCode == null
}

/** The one stop request a node gets: SIGTERM, or on Windows (where SIGTERM kills) its stdin closing. */
function requestStop (child: Child): void {
  if (OWN_GROUP) child.proc.kill('SIGTERM')
  else child.proc.stdin?.end()
}

/**
 * Starts a local cluster of real `oa-node start` processes on 127.0.0.1: node 1 first,
 * then the others with node 1 as their bootstrap peer.
 *
 * @example
 * ```ts
 * const cluster = await launchCluster({ nodes: 3, args: () => ['--community', 'devsupport'] })
 * console.log(cluster.nodes.map(n => n.api))
 * await cluster.stop()
 * ```
 */
export async function launchCluster (init: ClusterInit): Promise<Cluster> {
  if (!Number.isInteger(init.nodes) || init.nodes < 1) throw new RangeError('a cluster needs at least one node')
  const ownDir = init.dataDir == null
  const root = ownDir ? await mkdtemp(join(tmpdir(), 'oa-cluster-')) : resolve(init.dataDir ?? '.')
  await mkdir(root, { recursive: true, mode: 0o700 })
  const children: Child[] = []
  let stopping = false

  const spawnNode = async (index: number, bootstrap: string[]): Promise<ClusterNode> => {
    const name = `node-${index + 1}`
    const dataDir = join(root, name)
    const base = init.basePort ?? 0
    const port = (offset: number): number => base === 0 ? 0 : base + index * 3 + offset
    const args = [
      BIN_PATH, 'start',
      '--data-dir', dataDir,
      '--listen', `/ip4/127.0.0.1/tcp/${port(0)}`,
      '--listen', `/ip4/127.0.0.1/tcp/${port(1)}/ws`,
      '--api-port', String(port(2)),
      '--json',
      '--log-format', 'json',
      // if the cluster process dies, its nodes see their stdin close and stop
      '--stop-on-stdin-close',
      ...bootstrap.flatMap(b => ['--bootstrap', b]),
      ...(init.args?.(index) ?? [])
    ]
    if (init.signal?.aborted === true) throw new ClusterStartError(name, 'the launch was cancelled', [])
    init.onStarting?.(index, name)
    const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: process.env, detached: OWN_GROUP })
    const child: Child = {
      proc,
      stderr: [],
      exited: new Promise(resolve => proc.once('exit', () => { resolve() }))
    }
    children.push(child)
    proc.once('exit', (code, signal) => {
      if (!stopping && child.node != null) init.onUnexpectedExit?.(child.node, code, signal)
    })
    // lines written before the start report are passed on once the node is known
    const earlyLines: string[] = []
    createInterface({ input: proc.stderr }).on('line', (line) => {
      if (child.stderr.length < 50) child.stderr.push(line)
      if (child.node != null) init.onLog?.(child.node, line)
      else if (earlyLines.length < 500) earlyLines.push(line)
    })
    const lines = createInterface({ input: proc.stdout })
    const timeoutMs = (init.startTimeoutS ?? 30) * 1000
    return new Promise<ClusterNode>((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer)
        reject(new ClusterStartError(name, why, child.stderr))
      }
      const timer = setTimeout(() => { fail(`no start report within ${timeoutMs / 1000}s`) }, timeoutMs)
      const cancel = (): void => {
        clearTimeout(timer)
        reject(new ClusterStartError(name, 'the launch was cancelled', child.stderr))
      }
      init.signal?.addEventListener('abort', cancel, { once: true })
      void child.exited.then(() => { init.signal?.removeEventListener('abort', cancel) })
      proc.once('exit', (code, signal) => { fail(`exited with ${signal ?? `code ${code ?? '?'}`}`) })
      lines.on('line', (line) => {
        if (child.node != null) return
        let started: Partial<StartedLine>
        try {
          started = JSON.parse(line) as Partial<StartedLine>
        } catch {
          return
        }
        if (started.event !== 'started' || started.peerId == null) return
        clearTimeout(timer)
        init.signal?.removeEventListener('abort', cancel)
        const node: ClusterNode = { name, peerId: started.peerId, multiaddrs: started.multiaddrs ?? [], api: started.api ?? '', dataDir, pid: proc.pid ?? 0 }
        child.node = node
        for (const early of earlyLines.splice(0)) init.onLog?.(node, early)
        resolve(node)
      })
    })
  }

  const kill = (): void => {
    stopping = true
    for (const child of children) if (running(child)) child.proc.kill('SIGKILL')
  }

  let stopped: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true
      for (const child of children) if (running(child)) requestStop(child)
      const grace = setTimeout(kill, STOP_GRACE_MS)
      await Promise.all(children.map(async c => c.exited))
      clearTimeout(grace)
      if (ownDir) await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
    })()
    return stopped
  }

  try {
    const first = await spawnNode(0, [])
    const bootstrap = first.multiaddrs.filter(ma => ma.includes('/tcp/') && !ma.includes('/ws')).slice(0, 1)
    const rest = await Promise.all(Array.from({ length: init.nodes - 1 }, async (_, i) => spawnNode(i + 1, bootstrap)))
    const nodes = [first, ...rest]
    return { nodes, dataDir: root, stop, kill, exited: Promise.all(children.map(async c => c.exited)).then(() => {}) }
  } catch (err) {
    await stop()
    throw err
  }
}
