/**
 * NAT benchmark: direct-request latency between nodes of the namespace topology of
 * test/e2e/nat.test.ts (root, ip netns, iptables): a home node asking a public node
 * (direct, the baseline), a home node behind a symmetric NAT asking another home node
 * (relayed through the public relay: no hole punch is possible), a home node with
 * a mapped port asking one behind a home router once DCUtR has upgraded their relayed
 * connection (a direct dial to the mapped port), and a home node behind a home router
 * asking another behind a home router once DCUtR has hole punched their relayed
 * connection (observed addresses, dials from the listening port). The same expert agent
 * answers in each case.
 *
 *   npm run bench:nat             # 100 requests per path after 5 to warm up
 *   npm run bench:nat -- --quick  # 20 per path
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { BIN_PATH } from '../../src/version.js'
import { NAT_COMMUNITY, peerView, startNatCluster } from '../../test/helpers/nat-cluster.js'
import { netnsUnavailable } from '../../test/helpers/netns.js'
import { machine, percentile, printTable } from './util.js'
import type { Figure } from './util.js'
import type { NatNode } from '../../test/helpers/nat-cluster.js'

const run = promisify(execFile)
const PREFIX = 'oabnat'
const PROBE = join(import.meta.dirname, 'nat-probe.js')
const DEADLINE_MS = 60_000
/** The bench sends more direct requests than the default per-peer rate allows. */
const BENCH_LIMITS = 'limits:\n  direct:\n    perPeer: { points: 100000, durationMs: 10000 }\n    perAgent: { points: 100000, durationMs: 10000 }\n'

async function until<T> (what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`bench: gave up waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** Round trips of `count` direct requests from `asker` to `agent`, measured inside the asker's namespace. */
async function probe (asker: NatNode, agent: string, count: number): Promise<{ ms: number[], failures: string[] }> {
  const { stdout } = await run('ip', ['netns', 'exec', asker.ns, process.execPath, PROBE, asker.dataDir, NAT_COMMUNITY, agent, String(count)], { timeout: 30_000 + count * 2_000 })
  return JSON.parse(stdout) as { ms: number[], failures: string[] }
}

export async function benchNat (quick: boolean): Promise<Figure[]> {
  const unavailable = await netnsUnavailable(PREFIX)
  if (unavailable != null) {
    process.stdout.write(`bench:nat skipped: ${unavailable}\n`)
    return []
  }
  const samples = quick ? 20 : 100
  const cluster = await startNatCluster(PREFIX, 2, [
    { nat: 'masquerade', network: ['minPeers: 0'], extra: 'discovery:\n  communityPeers: 0\n' },
    { nat: 'symmetric' },
    { nat: 'mapped' },
    ...[0, 1].map(() => ({ nat: 'masquerade' as const, bootstrapAll: true, network: ['minPeers: 0'], extra: 'discovery:\n  communityPeers: 0\n' }))
  ], BIN_PATH, BENCH_LIMITS)
  const figures: Figure[] = []
  try {
    const [home1, home2, home3, home4, home5] = cluster.homes as [NatNode, NatNode, NatNode, NatNode, NatNode]
    const pub2 = cluster.publics[1] as NatNode
    const paths: Array<{ name: string, asker: NatNode, target: NatNode, expect: 'direct' | 'relayed', note: string }> = [
      { name: 'direct (home -> public node)', asker: home1, target: pub2, expect: 'direct', note: 'through home1\'s NAT, no relay' },
      { name: 'relayed (home behind a symmetric NAT -> home)', asker: home2, target: home1, expect: 'relayed', note: 'both ends behind NAT, through the public relay' },
      { name: 'upgraded (DCUtR, mapped port -> direct)', asker: home3, target: home1, expect: 'direct', note: 'relayed first, upgraded by DCUtR (home3\'s port mapped)' },
      { name: 'hole-punched (DCUtR, two home routers -> direct)', asker: home5, target: home4, expect: 'direct', note: 'relayed first, hole punched by DCUtR (both behind plain MASQUERADE)' }
    ]
    for (const path of paths) {
      const agent = `${path.target.name}_expert`
      // the first request finds the agent (DHT) and opens the connection; then the path must be the one measured
      await until(`${path.asker.name} reaches ${agent}`, async () => (await probe(path.asker, agent, 1)).ms.length === 1 ? true : undefined)
      await until(`a ${path.expect} connection from ${path.asker.name} to ${path.target.name}`, async () => {
        const view = await peerView(path.asker, path.target.peerId)
        return view != null && view.relayed === (path.expect === 'relayed') ? true : undefined
      })
      await probe(path.asker, agent, 5)
      const { ms, failures } = await probe(path.asker, agent, samples)
      const view = await peerView(path.asker, path.target.peerId)
      const failed = failures.length === 0 ? '' : `; ${failures.length} FAILED (${[...new Set(failures)].join('; ')})`
      const note = `${samples} requests; ${path.note}; ${view?.relayed === true ? 'relayed' : 'direct'} at the end${failed}`
      figures.push({ bench: 'nat', name: `direct request p50, ${path.name}`, value: Math.round(percentile(ms, 50) * 10) / 10, unit: 'ms', note })
      figures.push({ bench: 'nat', name: `direct request p99, ${path.name}`, value: Math.round(percentile(ms, 99) * 10) / 10, unit: 'ms' })
    }
  } finally {
    await cluster.stop()
  }
  return figures
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:nat on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchNat(quick))
}
