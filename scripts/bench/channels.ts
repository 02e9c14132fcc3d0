/**
 * Channel benchmark: delivery latency (publish -> receipt on every other node) and
 * sustained throughput on an in-process cluster of oa-nodes, beside the same figures
 * for bare gossipsub nodes (same transports, no envelopes, signatures or validation)
 * measured in the same run. Latency ratios are oa-node / bare gossipsub.
 *
 *   npm run bench:channels               # 10 nodes, 1000 messages
 *   npm run bench:channels -- --quick    # 5 nodes, 300 messages
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { loadConfig } from '../../src/config/load.js'
import { createNode } from '../../src/node/create-node.js'
import { channelTopic } from '../../src/wire/topics.js'
import { machine, percentile, printTable } from './util.js'
import type { Figure } from './util.js'
import type { OaNode } from '../../src/node/oa-node.js'

const TOPIC = channelTopic('bench', 'general')
const TEXT = 'x'.repeat(200)
const PACE_MS = 5
const DEADLINE_MS = 120_000

interface Harness {
  size: number
  /** Publishes message `seq` from node `from`. */
  publish: (from: number, seq: number) => Promise<void>
  /** Called with (node index, seq) on every receipt. */
  onReceive: (handler: (node: number, seq: number) => void) => void
  stop: () => Promise<void>
}

async function until (what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: gave up waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** oa-node nodes with every service; `capture` off leaves the channel path alone (no memory record per post). */
async function oaHarness (size: number, capture: boolean): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-ch-'))
  const nodes: OaNode[] = []
  for (let i = 0; i < size; i++) {
    const bootstrap = i === 0 ? [] : [nodes[0]?.multiaddrs()[0] ?? '']
    const config = await loadConfig({ flags: { dataDir: join(root, `n${i}`), communities: ['bench'], ...(capture ? {} : { memory: { capture: { '*': [] } } }), network: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap } } })
    const node = await createNode(config)
    await node.start()
    nodes.push(node)
  }
  await until('full mesh', () => nodes.every(n => n.libp2p.getPeers().length === size - 1))
  await until('all subscribed', () => nodes.every(n => n.libp2p.services.pubsub.getSubscribers(TOPIC).length === size - 1))
  return {
    size,
    publish: async (from, seq) => {
      await nodes[from]?.libp2p.services.channels.post({ community: 'bench', channel: 'general', text: TEXT, metadata: { seq } })
    },
    onReceive: (handler) => {
      nodes.forEach((node, i) => {
        node.libp2p.services.channels.addEventListener('event', (evt) => {
          if (evt.detail.origin !== 'gossip') return
          const seq = (evt.detail.event.payload as { metadata?: { seq?: number } }).metadata?.seq
          if (typeof seq === 'number') handler(i, seq)
        })
      })
    },
    stop: async () => {
      await Promise.all(nodes.map(async n => n.stop()))
      await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
    }
  }
}

function createBare () {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // the same per-host inbound allowance as oa-node: every bench node is on 127.0.0.1
    connectionManager: { inboundConnectionThreshold: 25 },
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) }
  })
}

async function bareHarness (size: number): Promise<Harness> {
  const nodes: Array<Awaited<ReturnType<typeof createBare>>> = []
  for (let i = 0; i < size; i++) nodes.push(await createBare())
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const addr = nodes[j]?.getMultiaddrs()[0]
      if (addr != null) await nodes[i]?.dial(addr)
    }
  }
  for (const node of nodes) node.services.pubsub.subscribe(TOPIC)
  await until('all subscribed', () => nodes.every(n => n.services.pubsub.getSubscribers(TOPIC).length === size - 1))
  const encoder = new TextEncoder()
  return {
    size,
    publish: async (from, seq) => {
      await nodes[from]?.services.pubsub.publish(TOPIC, encoder.encode(JSON.stringify({ text: TEXT, seq })))
    },
    onReceive: (handler) => {
      nodes.forEach((node, i) => {
        node.services.pubsub.addEventListener('message', (evt) => {
          handler(i, (JSON.parse(new TextDecoder().decode(evt.detail.data)) as { seq: number }).seq)
        })
      })
    },
    stop: async () => { await Promise.all(nodes.map(async n => n.stop())) }
  }
}

/** Paced publishing from every node in turn; latency of each receipt. */
async function latency (h: Harness, messages: number): Promise<number[]> {
  const sentAt = new Map<number, number>()
  const latencies: number[] = []
  h.onReceive((_node, seq) => {
    const t = sentAt.get(seq)
    if (t != null) latencies.push(performance.now() - t)
  })
  for (let seq = 0; seq < messages; seq++) {
    sentAt.set(seq, performance.now())
    await h.publish(seq % h.size, seq)
    await new Promise(resolve => setTimeout(resolve, PACE_MS))
  }
  const expected = messages * (h.size - 1)
  await until(`${expected} receipts`, () => latencies.length >= expected)
  return latencies
}

/** One node publishes as fast as it can; messages per second until every node has all. */
async function throughput (h: Harness, messages: number, offset: number): Promise<number> {
  let receipts = 0
  h.onReceive((_node, seq) => { if (seq >= offset) receipts++ })
  const start = performance.now()
  for (let seq = offset; seq < offset + messages; seq++) await h.publish(0, seq)
  await until('all receipts', () => receipts >= messages * (h.size - 1))
  return Math.round(messages / ((performance.now() - start) / 1000))
}

const round = (n: number): number => Math.round(n * 10) / 10
const ratio = (a: number, b: number): number => Math.round(a / b * 100) / 100

export async function benchChannels (quick: boolean): Promise<Figure[]> {
  const size = quick ? 5 : 10
  const messages = quick ? 300 : 1000
  const burst = quick ? 300 : 1000
  const results: Record<string, { p50: number, p99: number, rate: number }> = {}
  const harnesses: Array<[string, (n: number) => Promise<Harness>]> = [
    ['bare gossipsub', bareHarness],
    ['oa-node', async n => oaHarness(n, false)],
    ['oa-node, posts captured to memory', async n => oaHarness(n, true)]
  ]
  for (const [name, make] of harnesses) {
    const h = await make(size)
    try {
      const lat = await latency(h, messages)
      const rate = await throughput(h, burst, 1_000_000)
      results[name] = { p50: percentile(lat, 50), p99: percentile(lat, 99), rate }
    } finally {
      await h.stop()
    }
  }
  const oa = results['oa-node']
  const bare = results['bare gossipsub']
  const captured = results['oa-node, posts captured to memory']
  if (oa == null || bare == null || captured == null) throw new Error('bench: missing results')
  const note = `${size} nodes in one process, ${messages} messages`
  const capturedNote = 'defaults: every post is also embedded, stored and replicated to every node as a memory record'
  return [
    { bench: 'channels', name: 'delivery latency p50 (oa-node)', value: round(oa.p50), unit: 'ms', note },
    { bench: 'channels', name: 'delivery latency p99 (oa-node)', value: round(oa.p99), unit: 'ms', note },
    { bench: 'channels', name: 'delivery latency p50 (bare gossipsub)', value: round(bare.p50), unit: 'ms', note },
    { bench: 'channels', name: 'delivery latency p99 (bare gossipsub)', value: round(bare.p99), unit: 'ms', note },
    { bench: 'channels', name: 'p50 ratio oa-node / bare', value: ratio(oa.p50, bare.p50), unit: 'x' },
    { bench: 'channels', name: 'p99 ratio oa-node / bare', value: ratio(oa.p99, bare.p99), unit: 'x', note: 'goal <= 1.3' },
    { bench: 'channels', name: 'sustained publish rate, one node (oa-node)', value: oa.rate, unit: 'msg/s', note: `until all ${size - 1} peers have all ${burst}` },
    { bench: 'channels', name: 'sustained publish rate, one node (bare)', value: bare.rate, unit: 'msg/s' },
    { bench: 'channels', name: 'throughput ratio oa-node / bare', value: ratio(oa.rate, bare.rate), unit: 'x' },
    { bench: 'channels', name: 'delivery latency p50 (oa-node, posts captured)', value: round(captured.p50), unit: 'ms', note: capturedNote },
    { bench: 'channels', name: 'delivery latency p99 (oa-node, posts captured)', value: round(captured.p99), unit: 'ms' },
    { bench: 'channels', name: 'p99 ratio oa-node with capture / bare', value: ratio(captured.p99, bare.p99), unit: 'x' },
    { bench: 'channels', name: 'sustained publish rate, one node (oa-node, posts captured)', value: captured.rate, unit: 'msg/s' }
  ]
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:channels on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchChannels(quick))
}
