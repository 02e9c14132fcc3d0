/**
 * Replication benchmark: lag from a durable write on one node to its arrival on each of
 * the other nodes of a 5-node in-process cluster, for 1,000 records, beside the delivery
 * of channel posts interleaved with the writes (the baseline); and the catch-up
 * throughput of a fresh node that missed 11,000 records, twice in the same run: with an
 * embedder of another name (it embeds every text, as every receiver did before vectors
 * travelled: the baseline) and with the same embedder (it stores the origins' vectors).
 * The fresh node runs in a process of its own (`catch-up-node.ts`), as a node does; the
 * five others share this one. Every record's
 * text is a distinct English sentence found on this machine (`englishSentences`), as
 * real notes are, not one template with a number in it.
 *
 * The whole bench runs twice: every node on the lexical embedder (1,024 dimensions),
 * then on the neural one (384 dimensions, the model `npm run models:test` installs),
 * whose re-embedding baseline runs the model itself.
 *
 *   npm run bench:replication                 # 1,000 records, catch-up of 10,000, both embedders
 *   npm run bench:replication -- --quick      # 300 records, catch-up of 2,000
 *   npm run bench:replication -- --lexical    # or --neural: one embedder
 */
import { fork } from 'node:child_process'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config/load.js'
import { DEFAULT_MODEL, modelDir, readInstalledModel } from '../../src/models/manifest.js'
import { createNode } from '../../src/node/create-node.js'
import { sodiumCheck } from '../../src/signatures/sodium.js'
import { englishSentences } from './sentences.js'
import { machine, percentile, printTable } from './util.js'
import type { CatchUpResult, CatchUpTask } from './catch-up-node.js'
import type { Figure } from './util.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'bench'
const DEADLINE_MS = 300_000
/** Pause between one write-and-post and the next, as bench:channels paces its posts. */
const PACE_MS = 5

/** The embedders the bench runs with: lexical (1,024 dimensions, the largest vectors a record carries) and neural (384). */
export type BenchEmbedder = 'lexical' | 'neural'

async function start (root: string, name: string, bootstrap: string[], embedder: BenchEmbedder): Promise<OaNode> {
  const config = await loadConfig({ flags: { dataDir: join(root, name), communities: [C], network: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap }, memory: { ...(process.env.OA_BENCH_STORE == null ? {} : { store: process.env.OA_BENCH_STORE as 'embedded' | 'milvus' }), embedder, capture: { '*': [] }, syncIntervalMs: 5_000 } } })
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

// the replica's version vector is in memory: polling it costs nothing, unlike a table scan
async function held (node: OaNode): Promise<number> {
  return Object.values(await node.libp2p.services.memory.replicaStatus(C)).reduce((n, o) => n + o.records, 0)
}

/**
 * The replication figures with every node on `embedder`; the neural one needs the model
 * (`npm run models:test` or `oa-node models pull`).
 */
export async function benchReplication (quick: boolean, embedder: BenchEmbedder = 'lexical'): Promise<Figure[]> {
  const bench = `replication (${embedder})`
  if (embedder === 'neural' && await readInstalledModel(modelDir(process.env.OA_MODEL_DIR), DEFAULT_MODEL) == null) {
    process.stderr.write(`bench:replication: no ${DEFAULT_MODEL} in ${modelDir(process.env.OA_MODEL_DIR)} (npm run models:test): the neural run is left out\n`)
    return []
  }
  const records = quick ? 300 : 1000
  const missed = quick ? 2000 : 10_000
  const { sentences: texts } = englishSentences(records + missed)
  if (texts.length < records + missed) throw new Error(`bench: found ${texts.length} sentences, ${records + missed} needed`)
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-repl-'))
  const nodes: OaNode[] = []
  try {
    for (let i = 0; i < 5; i++) nodes.push(await start(root, `n${i}`, i === 0 ? [] : [nodes[0]?.multiaddrs()[0] ?? ''], embedder))
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
      // from the write resolved (durable, and gossiped as it became so) to stored elsewhere
      const record = await writer.libp2p.services.memory.remember(C, { text: texts[i] ?? '' })
      writtenAt.set(record.id, performance.now())
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
     * Seconds for a fresh node, in a process of its own, to hold every record (from its
     * start, and from the first record stored: the catch-up itself), how many texts it
     * embedded, and the CPU its threads spent.
     */
    const writerEmbedder = writer.libp2p.services.memory.embedderName ?? 'lexical-v2'
    const writerDimension = (await writer.libp2p.services.memory.embed(['dimension']))[0]?.length ?? 1024
    const catchUp = async (name: string, embedderName: string): Promise<{ s: number, sync: number, embedded: number, cpu: Map<string, number> }> => {
      const task: CatchUpTask = { dataDir: join(root, name), bootstrap: writer.multiaddrs()[0] ?? '', community: C, expected, embedder, embedderName, dimension: writerDimension, deadlineMs: DEADLINE_MS }
      const child = fork(fileURLToPath(new URL('./catch-up-node.js', import.meta.url)), [JSON.stringify(task)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...(process.env.OA_BENCH_CHILD_ARGS ?? '').split(' ').filter(a => a !== '')] })
      const result = await new Promise<CatchUpResult>((resolve, reject) => {
        child.once('message', (m) => { resolve(m as CatchUpResult) })
        child.once('exit', (code) => { reject(new Error(`bench: the catch-up node ${name} exited (${String(code)}) without a result`)) })
      })
      if (result.error != null) throw new Error(`bench: catch-up of ${name}: ${result.error}`)
      return { ...result, cpu: new Map(result.cpu) }
    }
    const reembed = await catchUp('fresh-reembeds', `${writerEmbedder}-renamed`)
    const reuse = await catchUp('fresh-reuses', writerEmbedder)
    // a catch-up that embedded texts did not take the origins' vectors: its figure would measure the wrong thing
    if (reuse.embedded > 0) throw new Error(`bench: the fresh node with the writers' embedder (${writerEmbedder}) embedded ${reuse.embedded} texts instead of taking the origins' vectors`)
    if (reembed.embedded < expected) throw new Error(`bench: the re-embedding baseline embedded ${reembed.embedded} of ${expected} texts`)

    const round = (n: number): number => Math.round(n * 10) / 10
    const perRecord = (thread: string): number => Math.round(((reuse.cpu.get(thread) ?? Number.NaN) * 1000) / expected)
    const verifyUs = ed25519VerifyMicros()
    return [
      { bench, name: 'replication lag p50', value: round(percentile(lags, 50)), unit: 'ms', note: `${records} records x 4 receivers, write resolved -> stored elsewhere; embedder ${writerEmbedder}` },
      { bench, name: 'replication lag p99', value: round(percentile(lags, 99)), unit: 'ms' },
      { bench, name: 'channel delivery p99, same cluster (baseline)', value: round(percentile(deliveries, 99)), unit: 'ms', note: `${records} posts interleaved with the writes, post called -> delivered elsewhere` },
      { bench, name: 'replication lag p99 / channel delivery p99', value: round(percentile(lags, 99) / Math.max(percentile(deliveries, 99), 0.001)), unit: 'x', note: 'goal <= 2x' },
      { bench, name: `catch-up of ${expected} records, re-embedding (baseline)`, value: round(reembed.s), unit: 's', note: `fresh node start -> all stored; another embedder name: ${reembed.embedded} texts embedded` },
      { bench, name: 'catch-up throughput, re-embedding (baseline)', value: Math.round(expected / reembed.sync), unit: 'rec/s', note: 'first record stored -> all stored' },
      { bench, name: `catch-up of ${expected} records, origins' vectors`, value: round(reuse.s), unit: 's', note: `same embedder: ${reuse.embedded} texts embedded` },
      { bench, name: 'catch-up throughput, origins\' vectors', value: Math.round(expected / reuse.sync), unit: 'rec/s', note: 'first record stored -> all stored; goal >= 5,000 rec/s' },
      { bench, name: 'catch-up throughput from the node\'s start, origins\' vectors', value: Math.round(expected / reuse.s), unit: 'rec/s', note: 'start, mesh and first sync included' },
      { bench, name: 'catch-up CPU per record: event loop', value: perRecord('MainThread'), unit: 'us', note: 'origins\' vectors; the fresh node\'s main thread (its own process)' },
      { bench, name: 'catch-up CPU per record: signature checks', value: Math.round((((reuse.cpu.get('oa-signatures') ?? 0) + (reuse.cpu.get('libuv-worker') ?? 0)) * 1000) / expected), unit: 'us', note: 'one Ed25519 check per record (its signature covers its vector), libsodium, on threads of their own' },
      { bench, name: 'catch-up CPU per record: vector index', value: perRecord('oa-memory-index'), unit: 'us', note: 'the fresh node\'s index thread, at nice 10' },
      { bench, name: 'catch-up CPU per record: V8 helpers', value: perRecord('V8Worker'), unit: 'us', note: 'garbage collection and compilation threads' },
      { bench, name: 'one Ed25519 check on this machine (baseline)', value: round(verifyUs.sodium), unit: 'us', note: `libsodium, one thread, same run: one per record on each of 2 cores caps catch-up at ${Math.round(2e6 / verifyUs.sodium)} rec/s, with nothing else done` },
      { bench, name: '  the same check with node:crypto (OpenSSL)', value: round(verifyUs.node), unit: 'us', note: 'how records were checked before libsodium' }
    ]
  } finally {
    await Promise.all(nodes.filter(n => n.isStarted()).map(async n => n.stop()))
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

/** Microseconds one Ed25519 signature check takes on this machine, one thread, with libsodium and with node:crypto: the baseline of the catch-up's signature figure. */
function ed25519VerifyMicros (): { sodium: number, node: number } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url')
  const data = Buffer.alloc(256, 7)
  const signature = sign(null, data, privateKey)
  const check = sodiumCheck()
  if (check == null) throw new Error('bench: libsodium (sodium-native) does not load on this machine')
  const n = 2_000
  const t0 = performance.now()
  for (let i = 0; i < n; i++) verify(null, data, publicKey, signature)
  const t1 = performance.now()
  for (let i = 0; i < n; i++) check(signature, data, raw)
  const t2 = performance.now()
  return { node: (t1 - t0) * 1000 / n, sodium: (t2 - t1) * 1000 / n }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:replication on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  const embedders: BenchEmbedder[] = process.argv.includes('--lexical') ? ['lexical'] : process.argv.includes('--neural') ? ['neural'] : ['lexical', 'neural']
  for (const embedder of embedders) printTable(await benchReplication(quick, embedder))
}
