/**
 * Discovery benchmark: capability lookup latency (DHT providers + agent cards) in an
 * in-process cluster where every node hosts one expert with its own capability, and the
 * time until an agent on a newly started node is findable from every node.
 *
 *   npm run bench:discovery               # 20 nodes, 100 lookups
 *   npm run bench:discovery -- --quick    # 8 nodes, 40 lookups
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.js'
import { createNode } from '../../src/node/create-node.js'
import { machine, percentile, printTable } from './util.js'
import type { Figure } from './util.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'bench'
const DEADLINE_MS = 180_000

async function startNode (root: string, i: number, bootstrap: string[], capability: string): Promise<OaNode> {
  const config = await loadConfig({
    flags: {
      dataDir: join(root, `n${i}`),
      communities: [C],
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap },
      agents: [{ name: `expert_${i}`, type: 'expert', community: C, capabilities: [capability] }]
    }
  })
  const node = await createNode(config)
  await node.start()
  return node
}

function at (nodes: OaNode[], i: number): OaNode {
  const node = nodes[i]
  if (node == null) throw new Error(`bench: no node ${i}`)
  return node
}

async function findable (node: OaNode, capability: string, id: string): Promise<boolean> {
  return (await node.libp2p.services.discovery.findAgents({ community: C, capability })).some(a => a.id === id)
}

export async function benchDiscovery (quick: boolean): Promise<Figure[]> {
  const size = quick ? 8 : 20
  const lookups = quick ? 40 : 100
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-disc-'))
  const nodes: OaNode[] = []
  try {
    for (let i = 0; i < size; i++) nodes.push(await startNode(root, i, i === 0 ? [] : [nodes[0]?.multiaddrs()[0] ?? ''], `skill-${i}`))
    // wait until every capability is findable from node 0, so lookups measure a formed network
    const deadline = Date.now() + DEADLINE_MS
    for (let i = 0; i < size; i++) {
      while (!(await findable(at(nodes, 0), `skill-${i}`, `expert_${i}@${at(nodes, i).peerId.toString()}`))) {
        if (Date.now() > deadline) throw new Error('bench: network did not form')
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    }
    const cold: number[] = []
    const warm: number[] = []
    for (let n = 0; n < lookups; n++) {
      const from = at(nodes, (n * 7) % size)
      const target = (n * 3 + 1) % size
      const t0 = performance.now()
      const found = await findable(from, `skill-${target}`, `expert_${target}@${at(nodes, target).peerId.toString()}`)
      const ms = performance.now() - t0
      if (!found) throw new Error(`bench: lookup ${n} did not find skill-${target}`)
      // the first lookup of a peer fetches its card; later ones use the card cache
      ;(n < size ? cold : warm).push(ms)
    }
    const all = [...cold, ...warm]

    const t0 = performance.now()
    const newcomer = await startNode(root, size, [nodes[size - 1]?.multiaddrs()[0] ?? ''], 'fresh-skill')
    nodes.push(newcomer)
    const id = `expert_${size}@${newcomer.peerId.toString()}`
    const pending = new Set(nodes.slice(0, size))
    while (pending.size > 0) {
      if (Date.now() > deadline + DEADLINE_MS) throw new Error('bench: the new agent never became findable everywhere')
      for (const node of [...pending]) if (await findable(node, 'fresh-skill', id)) pending.delete(node)
      if (pending.size > 0) await new Promise(resolve => setTimeout(resolve, 100))
    }
    const visibleMs = performance.now() - t0

    const note = `${size} nodes in one process`
    const r = (n: number): number => Math.round(n * 10) / 10
    return [
      { bench: 'discovery', name: 'capability lookup p50', value: r(percentile(all, 50)), unit: 'ms', note: `${lookups} lookups, ${note}` },
      { bench: 'discovery', name: 'capability lookup p99', value: r(percentile(all, 99)), unit: 'ms' },
      { bench: 'discovery', name: 'lookup p50, card not cached', value: r(percentile(cold, 50)), unit: 'ms', note: 'DHT lookup + card fetch' },
      { bench: 'discovery', name: 'lookup p50, card cached', value: r(percentile(warm, 50)), unit: 'ms', note: 'DHT lookup only' },
      { bench: 'discovery', name: 'new agent findable from every node', value: Math.round(visibleMs), unit: 'ms', note: 'from node start, polled every 100 ms' }
    ]
  } finally {
    await Promise.all(nodes.map(async n => n.stop()))
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:discovery on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchDiscovery(quick))
}
