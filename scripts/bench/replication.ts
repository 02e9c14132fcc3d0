/**
 * Replication benchmark: lag from a durable write on one node to its arrival on each of
 * the other nodes of a 5-node in-process cluster, for 1,000 records; and the catch-up
 * throughput of a node that missed 10,000 records.
 *
 *   npm run bench:replication               # 1,000 records, catch-up of 10,000
 *   npm run bench:replication -- --quick    # 300 records, catch-up of 2,000
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
const DEADLINE_MS = 300_000

async function start (root: string, name: string, bootstrap: string[]): Promise<OaNode> {
  const config = await loadConfig({ flags: { dataDir: join(root, name), communities: [C], network: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap }, memory: { capture: { '*': [] }, syncIntervalMs: 5_000 } } })
  const node = await createNode(config)
  await node.start()
  return node
}

async function until (what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`bench: gave up waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

export async function benchReplication (quick: boolean): Promise<Figure[]> {
  const records = quick ? 300 : 1000
  const missed = quick ? 2000 : 10_000
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-repl-'))
  const nodes: OaNode[] = []
  try {
    for (let i = 0; i < 5; i++) nodes.push(await start(root, `n${i}`, i === 0 ? [] : [nodes[0]?.multiaddrs()[0] ?? '']))
    await until('mesh', () => nodes.every(n => n.libp2p.getPeers().length === 4))
    await until('memory topics', () => nodes.every(n => n.libp2p.services.pubsub.getSubscribers(`oa/1/${C}/mem`).length === 4))

    const writtenAt = new Map<string, number>()
    const lags: number[] = []
    for (const node of nodes.slice(1)) {
      node.libp2p.services.memory.addEventListener('record:added', (evt) => {
        const now = performance.now()
        for (const r of evt.detail.records) {
          const t = writtenAt.get(r.id)
          if (t != null && !evt.detail.local) lags.push(now - t)
        }
      })
    }
    const writer = nodes[0]
    if (writer == null) throw new Error('no writer')
    for (let i = 0; i < records; i++) {
      const t = performance.now()
      const record = await writer.libp2p.services.memory.remember(C, { text: `replicated note ${i} about latency` })
      writtenAt.set(record.id, t)
    }
    await until('all records everywhere', () => lags.length >= records * 4)

    const late = nodes[4]
    if (late == null) throw new Error('no node 4')
    await late.stop()
    for (let i = 0; i < missed; i += 500) {
      await writer.libp2p.services.memory.rememberMany(C, Array.from({ length: Math.min(500, missed - i) }, (_, k) => ({ text: `missed note ${i + k}` })))
    }
    const expected = records + missed
    const t0 = performance.now()
    const back = await start(root, 'n4', [writer.multiaddrs()[0] ?? ''])
    nodes[4] = back
    // the replica's version vector is in memory: polling it costs nothing, unlike a table scan
    const held = async (): Promise<number> => Object.values(await back.libp2p.services.memory.replicaStatus(C)).reduce((n, o) => n + o.records, 0)
    await until('catch-up', async () => (await held()) >= expected)
    const catchUpS = (performance.now() - t0) / 1000

    const round = (n: number): number => Math.round(n * 10) / 10
    return [
      { bench: 'replication', name: 'replication lag p50', value: round(percentile(lags, 50)), unit: 'ms', note: `${records} records x 4 receivers, write resolved -> stored elsewhere` },
      { bench: 'replication', name: 'replication lag p99', value: round(percentile(lags, 99)), unit: 'ms' },
      { bench: 'replication', name: `catch-up of ${missed} missed records`, value: round(catchUpS), unit: 's', note: 'restart -> all stored (embedding included)' },
      { bench: 'replication', name: 'catch-up throughput', value: Math.round(missed / catchUpS), unit: 'rec/s' }
    ]
  } finally {
    await Promise.all(nodes.filter(n => n.isStarted()).map(async n => n.stop()))
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:replication on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchReplication(quick))
}
