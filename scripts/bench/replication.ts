/**
 * Replication benchmark: lag from a durable write on one node to its arrival on each of
 * the other nodes of a 5-node in-process cluster, for 1,000 records, beside the delivery
 * of channel posts interleaved with the writes (the baseline); and the catch-up
 * throughput of a fresh node that missed 11,000 records, twice in the same run: with an
 * embedder of another name (it embeds every text, as every receiver did before vectors
 * travelled: the baseline) and with the same embedder (it stores the origins' vectors).
 * Every record's text is a distinct English sentence found on this machine
 * (`englishSentences`), as real notes are, not one template with a number in it.
 *
 *   npm run bench:replication               # 1,000 records, catch-up of 10,000
 *   npm run bench:replication -- --quick    # 300 records, catch-up of 2,000
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.js'
import { createNode } from '../../src/node/create-node.js'
import { CountingEmbedder } from '../../test/helpers/kept-vectors.js'
import { englishSentences } from './sentences.js'
import { machine, percentile, printTable, threadCpuMs, threadCpuSince } from './util.js'
import type { Figure } from './util.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'bench'
const DEADLINE_MS = 300_000
/** Pause between one write-and-post and the next, as bench:channels paces its posts. */
const PACE_MS = 5

async function start (root: string, name: string, bootstrap: string[], embedder?: CountingEmbedder): Promise<OaNode> {
  const config = await loadConfig({ flags: { dataDir: join(root, name), communities: [C], network: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap }, memory: { ...(process.env.OA_BENCH_STORE == null ? {} : { store: process.env.OA_BENCH_STORE as 'embedded' | 'milvus' }), capture: { '*': [] }, syncIntervalMs: 5_000 } } })
  const node = await createNode(config, embedder == null ? {} : { memoryEmbedder: embedder })
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

// the replica's version vector is in memory: polling it costs nothing, unlike a table scan
async function held (node: OaNode): Promise<number> {
  return Object.values(await node.libp2p.services.memory.replicaStatus(C)).reduce((n, o) => n + o.records, 0)
}

export async function benchReplication (quick: boolean): Promise<Figure[]> {
  const records = quick ? 300 : 1000
  const missed = quick ? 2000 : 10_000
  const { sentences: texts } = englishSentences(records + missed)
  if (texts.length < records + missed) throw new Error(`bench: found ${texts.length} sentences, ${records + missed} needed`)
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-repl-'))
  const nodes: OaNode[] = []
  try {
    for (let i = 0; i < 5; i++) nodes.push(await start(root, `n${i}`, i === 0 ? [] : [nodes[0]?.multiaddrs()[0] ?? '']))
    await until('mesh', () => nodes.every(n => n.libp2p.getPeers().length === 4))
    await until('memory topics', () => nodes.every(n => n.libp2p.services.pubsub.getSubscribers(`oa/1/${C}/mem`).length === 4))

    // memory writes and channel posts from the same node, interleaved and paced alike:
    // the memory lag is set beside the delivery of a post in the same cluster, same run
    const writtenAt = new Map<string, number>()
    const postedAt = new Map<number, number>()
    const lags: number[] = []
    const deliveries: number[] = []
    for (const node of nodes.slice(1)) {
      node.libp2p.services.memory.addEventListener('record:added', (evt) => {
        const now = performance.now()
        for (const r of evt.detail.records) {
          const t = writtenAt.get(r.id)
          if (t != null && !evt.detail.local) lags.push(now - t)
        }
      })
      node.libp2p.services.channels.addEventListener('event', (evt) => {
        if (evt.detail.origin !== 'gossip') return
        const seq = (evt.detail.event.payload as { metadata?: { seq?: number } }).metadata?.seq
        const t = typeof seq === 'number' ? postedAt.get(seq) : undefined
        if (t != null) deliveries.push(performance.now() - t)
      })
    }
    const writer = nodes[0]
    if (writer == null) throw new Error('no writer')
    for (let i = 0; i < records; i++) {
      const t = performance.now()
      const record = await writer.libp2p.services.memory.remember(C, { text: texts[i] ?? '' })
      writtenAt.set(record.id, t)
      postedAt.set(i, performance.now())
      await writer.libp2p.services.channels.post({ community: C, channel: 'general', text: `posted note ${i} about latency`, metadata: { seq: i } })
      await new Promise(resolve => setTimeout(resolve, PACE_MS))
    }
    await until('all records everywhere', () => lags.length >= records * 4)
    await until('all posts everywhere', () => deliveries.length >= records * 4)

    for (let i = 0; i < missed; i += 500) {
      await writer.libp2p.services.memory.rememberMany(C, texts.slice(records + i, records + Math.min(i + 500, missed)).map(text => ({ text })))
    }
    const expected = records + missed
    await until('the missed records everywhere', async () => (await Promise.all(nodes.map(async n => held(n)))).every(h => h >= expected))
    /**
     * Seconds for a fresh node to hold every record (from its start, and from the first
     * record stored: the catch-up itself), and how many texts it embedded.
     */
    const catchUp = async (name: string, embedder: CountingEmbedder): Promise<{ s: number, sync: number, embedded: number, cpu: Map<string, number> }> => {
      const t0 = performance.now()
      const cpu0 = threadCpuMs()
      const fresh = await start(root, name, [writer.multiaddrs()[0] ?? ''], embedder)
      nodes.push(fresh)
      let first: number | undefined
      fresh.libp2p.services.memory.addEventListener('record:added', () => { first ??= performance.now() })
      await until(`catch-up of ${name}`, async () => (await held(fresh)) >= expected)
      const end = performance.now()
      const cpu = threadCpuSince(cpu0)
      await fresh.stop()
      return { s: (end - t0) / 1000, sync: (end - (first ?? t0)) / 1000, embedded: embedder.texts.length, cpu }
    }
    const reembed = await catchUp('fresh-reembeds', new CountingEmbedder('local-hash-v2-renamed'))
    const reuse = await catchUp('fresh-reuses', new CountingEmbedder())

    const round = (n: number): number => Math.round(n * 10) / 10
    const perRecord = (thread: string): number => Math.round(((reuse.cpu.get(thread) ?? Number.NaN) * 1000) / expected)
    const verifyUs = ed25519VerifyMicros()
    return [
      { bench: 'replication', name: 'replication lag p50', value: round(percentile(lags, 50)), unit: 'ms', note: `${records} records x 4 receivers, write resolved -> stored elsewhere` },
      { bench: 'replication', name: 'replication lag p99', value: round(percentile(lags, 99)), unit: 'ms' },
      { bench: 'replication', name: 'channel delivery p99, same cluster (baseline)', value: round(percentile(deliveries, 99)), unit: 'ms', note: `${records} posts interleaved with the writes, post called -> delivered elsewhere` },
      { bench: 'replication', name: 'replication lag p99 / channel delivery p99', value: round(percentile(lags, 99) / Math.max(percentile(deliveries, 99), 0.001)), unit: 'x', note: 'goal <= 2x' },
      { bench: 'replication', name: `catch-up of ${expected} records, re-embedding (baseline)`, value: round(reembed.s), unit: 's', note: `fresh node start -> all stored; another embedder name: ${reembed.embedded} texts embedded` },
      { bench: 'replication', name: 'catch-up throughput, re-embedding (baseline)', value: Math.round(expected / reembed.sync), unit: 'rec/s', note: 'first record stored -> all stored' },
      { bench: 'replication', name: `catch-up of ${expected} records, origins' vectors`, value: round(reuse.s), unit: 's', note: `same embedder: ${reuse.embedded} texts embedded` },
      { bench: 'replication', name: 'catch-up throughput, origins\' vectors', value: Math.round(expected / reuse.sync), unit: 'rec/s', note: 'first record stored -> all stored; goal >= 5,000 rec/s' },
      { bench: 'replication', name: 'catch-up throughput from the node\'s start, origins\' vectors', value: Math.round(expected / reuse.s), unit: 'rec/s', note: 'start, mesh and first sync included' },
      { bench: 'replication', name: 'catch-up CPU per record: event loop', value: perRecord('MainThread'), unit: 'us', note: 'origins\' vectors; the process\'s main thread, which runs all 6 nodes (sender and receiver alike)' },
      { bench: 'replication', name: 'catch-up CPU per record: thread pool', value: perRecord('libuv-worker'), unit: 'us', note: 'the signature checks: one Ed25519 check per record (its signature covers its vector)' },
      { bench: 'replication', name: 'catch-up CPU per record: vector index', value: perRecord('oa-memory-index'), unit: 'us', note: 'the index threads, at nice 10 (also after the catch-up ended: the index follows)' },
      { bench: 'replication', name: 'catch-up CPU per record: V8 helpers', value: perRecord('V8Worker'), unit: 'us', note: 'garbage collection and compilation threads' },
      { bench: 'replication', name: 'one Ed25519 check on this machine (baseline)', value: round(verifyUs), unit: 'us', note: `node:crypto verify, one thread, same run: one per record on each of 2 cores caps catch-up at ${Math.round(2e6 / verifyUs)} rec/s, with nothing else done` }
    ]
  } finally {
    await Promise.all(nodes.filter(n => n.isStarted()).map(async n => n.stop()))
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

/** Microseconds one Ed25519 signature check takes on this machine (node:crypto, one thread): the baseline of the catch-up's thread-pool figure. */
function ed25519VerifyMicros (): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const data = Buffer.alloc(256, 7)
  const signature = sign(null, data, privateKey)
  const n = 2_000
  const t0 = performance.now()
  for (let i = 0; i < n; i++) verify(null, data, publicKey, signature)
  return (performance.now() - t0) * 1000 / n
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:replication on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchReplication(quick))
}
