/**
 * Soak benchmark: three node processes under sustained mixed load (posts, memory
 * writes, memory searches, history reads and direct requests to an expert on another
 * node) for a bounded time. Reports RSS after a warm-up and at the end, its growth and
 * trend, and the streams open before and after the load.
 *
 *   npm run bench:soak              # 60 s warm-up, then 300 s measured
 *   npm run bench:soak -- --quick   # 20 s warm-up, then 60 s measured
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
/** The bound this benchmark states: RSS at the end at most this many times RSS after the warm-up. */
export const RSS_GROWTH_GOAL = 1.25
const SAMPLE_MS = 5_000
/** Minimum time between the starts of two load rounds. */
const ROUND_MS = 100

const CONFIG = `communities: [${C}]
memory:
  capture: { '*': [] }
${process.env.SOAK_EXTRA ?? ''}
agents:
  - name: helper
    type: expert
    capabilities: [soak]
    description: Answers from the community's memory
`

async function streamsOf (api: ApiClient): Promise<number> {
  return (await api.get<NodeStatus>('/v1/status')).streams.total
}

async function heapOf (api: ApiClient): Promise<number> {
  return (await api.get<NodeStatus>('/v1/status')).memory.heapUsedMiB
}

/** One round of load on every node; returns how many operations failed. */
async function round (apis: ApiClient[], peers: string[], n: number): Promise<number> {
  const results = await Promise.allSettled(apis.map(async (api, i) => {
    await api.post(`/v1/communities/${C}/channels/general/messages`, { text: `soak ${n} from node ${i}: tuning hnsw ef, retries and timeouts` })
    await api.post(`/v1/communities/${C}/memory`, { text: `soak record ${n} from node ${i}: raise ef for recall, lower it for latency` })
    if (n % 5 === 0) {
      await api.get(`/v1/communities/${C}/memory/search?q=${encodeURIComponent(`recall ef ${n}`)}&k=5`)
      await api.get(`/v1/communities/${C}/channels/general/messages?limit=50`)
      const next = peers[(i + 1) % peers.length] ?? ''
      await api.post(`/v1/agents/helper@${next}/requests`, { text: `how do I raise recall? (${n})`, community: C, timeoutMs: 10_000 })
    }
  }))
  return results.filter(r => r.status === 'rejected').length
}

export async function benchSoak (quick: boolean): Promise<Figure[]> {
  const warmupS = quick ? 20 : 60
  const measureS = quick ? 60 : Number(process.env.SOAK_SECONDS ?? 300)
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-soak-'))
  const config = join(root, 'node.yaml')
  await writeFile(config, CONFIG)
  const cluster = await launchCluster({ nodes: NODES, dataDir: join(root, 'cluster'), args: () => ['--config', config] })
  try {
    const apis = await Promise.all(cluster.nodes.map(async n => ApiClient.fromDataDir(n.dataDir)))
    const peers = cluster.nodes.map(n => n.peerId)
    const deadline = Date.now() + 60_000
    while ((await Promise.all(apis.map(async a => (await a.get<NodeStatus>('/v1/status')).peers))).some(p => p < NODES - 1)) {
      if (Date.now() > deadline) throw new Error('bench:soak: the cluster did not form within 60 s')
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    await new Promise(resolve => setTimeout(resolve, 3_000))
    const streamsBefore = await Promise.all(apis.map(streamsOf))

    let rounds = 0
    let failed = 0
    const t0 = Date.now()
    const end = t0 + (warmupS + measureS) * 1000
    const times: number[] = []
    const samples: number[][] = cluster.nodes.map(() => [])
    const heaps: number[][] = cluster.nodes.map(() => [])
    let nextSample = t0 + warmupS * 1000
    // bounded by time and by count
    while (Date.now() < end && rounds < 1_000_000) {
      const started = Date.now()
      failed += await round(apis, peers, rounds++)
      if (Date.now() >= nextSample) {
        times.push((Date.now() - t0) / 60_000)
        const rss = await Promise.all(cluster.nodes.map(async n => rssMiB(n.pid)))
        rss.forEach((v, i) => samples[i]?.push(v))
        const heap = await Promise.all(apis.map(heapOf))
        heap.forEach((v, i) => heaps[i]?.push(v))
        nextSample += SAMPLE_MS
      }
      await new Promise(resolve => setTimeout(resolve, Math.max(0, ROUND_MS - (Date.now() - started))))
    }
    await new Promise(resolve => setTimeout(resolve, 5_000))
    const streamsAfter = await Promise.all(apis.map(streamsOf))
    const rssEnd = await Promise.all(cluster.nodes.map(async n => rssMiB(n.pid)))

    const warm = samples.map(s => s[0] ?? Number.NaN)
    const growth = Math.max(...rssEnd.map((v, i) => v / (warm[i] ?? v)))
    const trend = Math.max(...samples.map(s => slope(times.slice(0, s.length), s)))
    const heapTrend = Math.max(...heaps.map(s => slope(times.slice(0, s.length), s)))
    const ops = rounds * NODES * 2 + Math.ceil(rounds / 5) * NODES * 3
    return [
      { bench: 'soak', name: 'load', value: rounds, unit: 'rounds', note: `${NODES} nodes, ${warmupS} s warm-up + ${measureS} s, about ${ops} API operations, ${failed} failed` },
      { bench: 'soak', name: 'RSS per node after warm-up (mean)', value: Math.round(mean(warm)), unit: 'MiB' },
      { bench: 'soak', name: 'RSS per node at the end (mean)', value: Math.round(mean(rssEnd)), unit: 'MiB', note: '5 s after the load stopped' },
      { bench: 'soak', name: 'RSS growth after warm-up (max node)', value: Math.round(growth * 100) / 100, unit: 'x', note: `end / after warm-up; goal <= ${RSS_GROWTH_GOAL}x: ${growth <= RSS_GROWTH_GOAL ? 'met' : 'NOT MET'}` },
      { bench: 'soak', name: 'RSS trend under load (max node)', value: Math.round(trend * 10) / 10, unit: 'MiB/min', note: `least squares over ${times.length} samples, every ${SAMPLE_MS / 1000} s; per node: ${samples.map(s => (Math.round(slope(times.slice(0, s.length), s) * 10) / 10)).join(', ')}` },
      { bench: 'soak', name: 'JavaScript heap trend under load (max node)', value: Math.round(heapTrend * 10) / 10, unit: 'MiB/min', note: 'the rest of the RSS trend is native memory (LanceDB, SQLite, buffers)' },
      { bench: 'soak', name: 'open streams before / after load (all nodes)', value: streamsAfter.reduce((a, b) => a + b, 0), unit: 'streams', note: `before: ${streamsBefore.reduce((a, b) => a + b, 0)}; after is 5 s after the load stopped` }
    ]
  } finally {
    await cluster.stop()
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:soak on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchSoak(quick))
}
