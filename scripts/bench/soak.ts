/**
 * Soak benchmark: three node processes under sustained mixed load (posts, history reads,
 * direct requests to an expert on another node, and with the memory store: memory
 * writes and searches) for a bounded time. Reports RSS after a warm-up and at the end,
 * its growth and trend, the JavaScript heap trend, and the streams open before and after
 * the load. It runs twice: with the embedded memory store, and without it (the baseline
 * that shows what the rest of the node does).
 *
 *   npm run bench:soak              # 60 s warm-up, then 240 s measured, each run
 *   npm run bench:soak -- --quick   # 45 s warm-up, then 45 s measured, each run
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiClient } from '../../src/api/client.js'
import { launchCluster } from '../../src/cluster/launcher.js'
import { machine, mean, printTable, rssMiB, slope } from './util.js'
import type { Figure } from './util.js'
import type { NodeStatus } from '../../src/node/oa-node.js'

const NODES = 3
const C = 'bench'
/** The bound this benchmark states: RSS of a node process at the end at most this many times its RSS after the warm-up. */
export const RSS_GROWTH_GOAL = 1.25
const SAMPLE_MS = 5_000
/** Minimum time between the starts of two load rounds. */
const ROUND_MS = 100

function config (memory: boolean): string {
  return `communities: [${C}]
memory:
  enabled: ${memory}
  capture: { '*': [] }
agents:
  - name: helper
    type: expert
    capabilities: [soak]
    description: Answers from the community's memory, or from channel history without one
`
}

async function statusOf (api: ApiClient): Promise<NodeStatus> {
  return api.get<NodeStatus>('/v1/status')
}

/** One round of load on every node; returns how many operations failed. */
async function round (apis: ApiClient[], peers: string[], n: number, memory: boolean): Promise<number> {
  const results = await Promise.allSettled(apis.map(async (api, i) => {
    await api.post(`/v1/communities/${C}/channels/general/messages`, { text: `soak ${n} from node ${i}: tuning hnsw ef, retries and timeouts` })
    if (memory) await api.post(`/v1/communities/${C}/memory`, { text: `soak record ${n} from node ${i}: raise ef for recall, lower it for latency` })
    if (n % 5 === 0) {
      if (memory) await api.get(`/v1/communities/${C}/memory/search?q=${encodeURIComponent(`recall ef ${n}`)}&k=5`)
      await api.get(`/v1/communities/${C}/channels/general/messages?limit=50`)
      const next = peers[(i + 1) % peers.length] ?? ''
      await api.post(`/v1/agents/helper@${next}/requests`, { text: `how do I raise recall? (${n})`, community: C, timeoutMs: 10_000 })
    }
  }))
  return results.filter(r => r.status === 'rejected').length
}

const round1 = (v: number): number => Math.round(v * 10) / 10

async function soakOnce (quick: boolean, memory: boolean): Promise<Figure[]> {
  // under 45 s of load the V8 heap is still growing to its working size, whatever the run
  const warmupS = quick ? 45 : 60
  const measureS = quick ? 45 : 240
  const label = memory ? 'memory store on' : 'memory store off'
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-soak-'))
  const file = join(root, 'node.yaml')
  await writeFile(file, config(memory))
  const cluster = await launchCluster({ nodes: NODES, dataDir: join(root, 'cluster'), args: () => ['--config', file] })
  try {
    const apis = await Promise.all(cluster.nodes.map(async n => ApiClient.fromDataDir(n.dataDir)))
    const peers = cluster.nodes.map(n => n.peerId)
    const deadline = Date.now() + 60_000
    while ((await Promise.all(apis.map(statusOf))).some(s => s.peers < NODES - 1)) {
      if (Date.now() > deadline) throw new Error('bench:soak: the cluster did not form within 60 s')
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    await new Promise(resolve => setTimeout(resolve, 3_000))
    const streamsBefore = (await Promise.all(apis.map(statusOf))).reduce((n, s) => n + s.streams.total, 0)

    let rounds = 0
    let failed = 0
    const t0 = Date.now()
    const end = t0 + (warmupS + measureS) * 1000
    const minutes: number[] = []
    const rss: number[][] = cluster.nodes.map(() => [])
    const heap: number[][] = cluster.nodes.map(() => [])
    let nextSample = t0 + warmupS * 1000
    // bounded by time and by count
    while (Date.now() < end && rounds < 1_000_000) {
      const started = Date.now()
      failed += await round(apis, peers, rounds++, memory)
      if (Date.now() >= nextSample) {
        minutes.push((Date.now() - t0) / 60_000)
        const [r, s] = await Promise.all([Promise.all(cluster.nodes.map(async n => rssMiB(n.pid))), Promise.all(apis.map(statusOf))])
        r.forEach((v, i) => rss[i]?.push(v))
        s.forEach((v, i) => heap[i]?.push(v.memory.heapUsedMiB))
        nextSample += SAMPLE_MS
      }
      await new Promise(resolve => setTimeout(resolve, Math.max(0, ROUND_MS - (Date.now() - started))))
    }
    await new Promise(resolve => setTimeout(resolve, 5_000))
    const streamsAfter = (await Promise.all(apis.map(statusOf))).reduce((n, s) => n + s.streams.total, 0)
    const rssEnd = await Promise.all(cluster.nodes.map(async n => rssMiB(n.pid)))

    const warm = rss.map(s => s[0] ?? Number.NaN)
    const growth = Math.max(...rssEnd.map((v, i) => v / (warm[i] ?? v)))
    const trends = rss.map(s => slope(minutes.slice(0, s.length), s))
    const heapTrends = heap.map(s => slope(minutes.slice(0, s.length), s))
    return [
      { bench: 'soak', name: `${label}: load`, value: rounds, unit: 'rounds', note: `${NODES} nodes, ${warmupS} s warm-up + ${measureS} s; each round every node posts${memory ? ' and remembers' : ''}, every 5th also reads history${memory ? ', searches memory' : ''} and asks the expert on the next node; ${failed} of ${rounds * NODES} node-rounds failed` },
      { bench: 'soak', name: `${label}: node process RSS after warm-up (mean)`, value: Math.round(mean(warm)), unit: 'MiB' },
      { bench: 'soak', name: `${label}: node process RSS at the end (mean)`, value: Math.round(mean(rssEnd)), unit: 'MiB', note: '5 s after the load stopped' },
      { bench: 'soak', name: `${label}: node process RSS growth after warm-up (max node)`, value: Math.round(growth * 100) / 100, unit: 'x', note: `end / after warm-up; goal <= ${RSS_GROWTH_GOAL}x: ${quick ? 'judged in the full run (45 s cannot tell a leak from a heap still growing to its working size)' : growth <= RSS_GROWTH_GOAL ? 'met' : 'NOT MET'}` },
      { bench: 'soak', name: `${label}: node process RSS trend under load (max node)`, value: round1(Math.max(...trends)), unit: 'MiB/min', note: `least squares over ${minutes.length} samples every ${SAMPLE_MS / 1000} s; per node ${trends.map(round1).join(', ')}` },
      { bench: 'soak', name: `${label}: JavaScript heap trend (max node)`, value: round1(Math.max(...heapTrends)), unit: 'MiB/min', note: 'the rest of the RSS trend is native memory' },
      { bench: 'soak', name: `${label}: open streams after / before load`, value: streamsAfter, unit: 'streams', note: `before: ${streamsBefore} (all nodes; after is 5 s after the load stopped)` }
    ]
  } finally {
    await cluster.stop()
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

export async function benchSoak (quick: boolean): Promise<Figure[]> {
  return [...await soakOnce(quick, true), ...await soakOnce(quick, false)]
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:soak on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchSoak(quick))
}
