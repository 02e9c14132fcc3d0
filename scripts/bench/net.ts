/**
 * Network benchmark: time from process start to the first connected peer, formation
 * time of a 10-node cluster of real processes, and idle RSS per node (RSS under
 * sustained load is bench:soak).
 *
 *   npm run bench:net             # full: 5 join samples, 10-node cluster
 *   npm run bench:net -- --quick  # smaller: 3 samples, 5-node cluster
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ApiClient } from '../../src/api/client.js'
import { launchCluster } from '../../src/cluster/launcher.js'
import { BIN_PATH } from '../../src/version.js'
import { machine, mean, percentile, printTable, rssMiB, since } from './util.js'
import type { Figure } from './util.js'
import type { NodeStatus } from '../../src/node/oa-node.js'

const POLL_MS = 20
/** The goal for a node's resident memory, idle, memory store included. */
const IDLE_RSS_GOAL_MIB = 150

/** The baseline: RSS of a bare Node.js process of the same binary, doing nothing. */
async function bareNodeRss (): Promise<number> {
  const proc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  try {
    await new Promise(resolve => setTimeout(resolve, 1_000))
    return await rssMiB(proc.pid ?? 0)
  } finally {
    proc.kill()
  }
}
const DEADLINE_MS = 60_000

async function until (what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`bench: gave up waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}

async function peersOf (dataDir: string): Promise<number> {
  const api = await ApiClient.fromDataDir(dataDir)
  return (await api.get<NodeStatus>('/v1/status')).peers
}

/** Spawns one `oa-node start` joining `bootstrap`; returns ms to the start line and to the first peer. */
async function joinOnce (root: string, i: number, bootstrap: string): Promise<{ startedMs: number, firstPeerMs: number }> {
  const dataDir = join(root, `joiner-${i}`)
  const t0 = performance.now()
  const proc = spawn(process.execPath, [BIN_PATH, 'start', '--json', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--bootstrap', bootstrap], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', () => { reject(new Error('joiner exited')) })
      createInterface({ input: proc.stdout }).once('line', () => { resolve() })
    })
    const startedMs = since(t0)
    await until('first peer', async () => (await peersOf(dataDir)) >= 1)
    return { startedMs, firstPeerMs: since(t0) }
  } finally {
    proc.kill('SIGTERM')
    await new Promise(resolve => proc.once('exit', resolve))
  }
}

export async function benchNet (quick: boolean): Promise<Figure[]> {
  const samples = quick ? 3 : 5
  const clusterSize = quick ? 5 : 10
  const figures: Figure[] = []
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-net-'))
  try {
    const boot = await launchCluster({ nodes: 1, dataDir: join(root, 'boot') })
    try {
      const bootstrap = boot.nodes[0]?.multiaddrs.find(m => !m.includes('/ws')) ?? ''
      const runs = []
      for (let i = 0; i < samples; i++) runs.push(await joinOnce(root, i, bootstrap))
      figures.push({ bench: 'net', name: 'process start -> listening (mean)', value: Math.round(mean(runs.map(r => r.startedMs))), unit: 'ms', note: `${samples} runs` })
      figures.push({ bench: 'net', name: 'process start -> first peer (mean)', value: Math.round(mean(runs.map(r => r.firstPeerMs))), unit: 'ms', note: `${samples} runs, ${POLL_MS} ms polling` })
      figures.push({ bench: 'net', name: 'process start -> first peer (max)', value: Math.round(percentile(runs.map(r => r.firstPeerMs), 100)), unit: 'ms' })
    } finally {
      await boot.stop()
    }

    const t0 = performance.now()
    const cluster = await launchCluster({ nodes: clusterSize, dataDir: join(root, 'cluster'), args: () => ['--community', 'bench'] })
    try {
      const startedMs = since(t0)
      await until('full mesh', async () => (await Promise.all(cluster.nodes.map(async n => peersOf(n.dataDir)))).every(p => p >= clusterSize - 1))
      figures.push({ bench: 'net', name: `${clusterSize}-node cluster: all processes listening`, value: Math.round(startedMs), unit: 'ms' })
      figures.push({ bench: 'net', name: `${clusterSize}-node cluster: full mesh formed`, value: Math.round(since(t0)), unit: 'ms', note: 'every node connected to every other' })
      await new Promise(resolve => setTimeout(resolve, 5_000))
      const rss = await Promise.all(cluster.nodes.map(async n => rssMiB(n.pid)))
      // RSS counts the pages of the Node.js binary and its libraries in every process; the page cache holds them once for all
      const fileBacked = await Promise.all(cluster.nodes.map(async n => rssMiB(n.pid, 'RssFile')))
      // the memory store runs in the node's process: the node's RSS is all of it
      const bare = await bareNodeRss()
      figures.push({ bench: 'net', name: 'idle RSS of a bare Node.js process (baseline)', value: Math.round(bare), unit: 'MiB', note: 'node -e with a timer: the runtime alone' })
      figures.push({ bench: 'net', name: 'idle RSS per node (mean)', value: Math.round(mean(rss)), unit: 'MiB', note: `${clusterSize} nodes, memory on, 5 s after formation; goal <= ${IDLE_RSS_GOAL_MIB} MiB: ${percentile(rss, 100) <= IDLE_RSS_GOAL_MIB ? 'met' : 'NOT MET'}` })
      figures.push({ bench: 'net', name: 'idle RSS per node (max)', value: Math.round(percentile(rss, 100)), unit: 'MiB', note: `all ${clusterSize}: ${Math.round(rss.reduce((a, b) => a + b, 0))} MiB` })
      figures.push({ bench: 'net', name: '  of which file pages shared by all nodes (mean)', value: Math.round(mean(fileBacked)), unit: 'MiB', note: 'RssFile: the Node.js binary and libraries, held once in the page cache' })

    } finally {
      await cluster.stop()
    }
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
  return figures
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:net on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchNet(quick))
}
