/**
 * Memory write path benchmark: latency of single `memory add` calls (one record,
 * `Memory.remember`, resolved once durable) while channel posts arrive at a bounded
 * rate and are captured into memory, beside a baseline measured in the same run (the
 * same adds with no posts arriving). Also: the post rate reached, and how long capture
 * took after the last post to hold every post (each checked by id).
 *
 *   npm run bench:write-path               # 60 adds, posts at up to 1,000/s while they run (at most 90 s)
 *   npm run bench:write-path -- --quick    # 20 adds, posts at up to 1,000/s while they run (at most 30 s)
 *
 * Channel history keeps 200,000 messages here (default 10,000): a post that retention
 * removes before capture reaches it is not captured, and this bench measures the write
 * path, not retention.
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
const RATE = 1000
/** Posts awaiting their acknowledgement at once, at most. */
const IN_FLIGHT = 64
const DEADLINE_MS = 300_000

async function until (what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`bench: gave up waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** `count` single adds, one after the other; the latency of each in ms. */
async function adds (node: OaNode, count: number, label: string): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    await node.libp2p.services.memory.remember(C, { text: `${label} note ${i}: rotate the signing key before it expires`, kind: 'expert_knowledge' })
    latencies.push(performance.now() - start)
  }
  return latencies
}

/** Posts at up to `rate` per second until stopped or `seconds` have passed; resolves with the acknowledged post ids. */
function posts (node: OaNode, rate: number, seconds: number): { done: Promise<string[]>, stop: () => void } {
  const ids: string[] = []
  let stopped = false
  const done = (async () => {
    const start = performance.now()
    let sent = 0
    const inFlight = new Set<Promise<void>>()
    while (!stopped && performance.now() - start < seconds * 1000) {
      const due = Math.min(rate * seconds, Math.floor(rate * (performance.now() - start) / 1000))
      while (sent < due && inFlight.size < IN_FLIGHT) {
        const p = node.libp2p.services.channels.post({ community: C, channel: 'general', text: `post ${sent}: the build cache lives in /var/cache/build and is kept for a day` })
          .then((msg) => { ids.push(msg.id) }, () => {})
          .finally(() => { inFlight.delete(p) })
        inFlight.add(p)
        sent++
      }
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight)
      else await new Promise(resolve => setTimeout(resolve, 5))
    }
    await Promise.all(inFlight)
    return ids
  })()
  return { done, stop: () => { stopped = true } }
}

const round = (n: number): number => Math.round(n * 10) / 10

export async function benchWritePath (quick: boolean): Promise<Figure[]> {
  const seconds = quick ? 30 : 90
  const count = quick ? 20 : 60
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-wp-'))
  const config = await loadConfig({ flags: { dataDir: join(root, 'n1'), communities: [C], channels: { history: { maxMessagesPerChannel: 200_000 } }, network: { listen: ['/ip4/127.0.0.1/tcp/0'] }, api: { port: 0 } } })
  const node = await createNode(config)
  await node.start()
  try {
    const memory = node.libp2p.services.memory
    // warm-up: the store's first commits build its indexes
    await adds(node, 5, 'warm-up')
    const baseline = await adds(node, count, 'baseline')

    const burst = posts(node, RATE, seconds)
    const startedAt = performance.now()
    // the adds start once posts arrive, and run while they do
    await until('posts arriving', () => (node.libp2p.services.capture.status()?.posts ?? 0) > 0)
    const loaded = await adds(node, count, 'under load')
    const addsDoneWhilePosting = performance.now() - startedAt < seconds * 1000
    burst.stop()
    const ids = await burst.done
    const postSeconds = (performance.now() - startedAt) / 1000
    const lastPostAt = performance.now()
    await until('every post captured', async () => (await memory.get(C, ids.map(id => `msg-${id}`))).length === ids.length)
    const drainMs = performance.now() - lastPostAt

    const ratio = (a: number, b: number): number => Math.round(a / b * 100) / 100
    const note = `${count} single adds, one after the other; defaults (embedded store, writeWindowMs ${config.memory.writeWindowMs})`
    const loadNote = `while posts arrive at up to ${RATE}/s and are captured${addsDoneWhilePosting ? '' : ' (posts stopped before the adds ended)'}`
    return [
      { bench: 'write-path', name: 'memory add p50 (no posts)', value: round(percentile(baseline, 50)), unit: 'ms', note },
      { bench: 'write-path', name: 'memory add p99 (no posts)', value: round(percentile(baseline, 99)), unit: 'ms' },
      { bench: 'write-path', name: 'memory add max (no posts)', value: round(Math.max(...baseline)), unit: 'ms' },
      { bench: 'write-path', name: 'memory add p50 (posts arriving)', value: round(percentile(loaded, 50)), unit: 'ms', note: loadNote },
      { bench: 'write-path', name: 'memory add p99 (posts arriving)', value: round(percentile(loaded, 99)), unit: 'ms' },
      { bench: 'write-path', name: 'memory add max (posts arriving)', value: round(Math.max(...loaded)), unit: 'ms' },
      { bench: 'write-path', name: 'p50 ratio posts arriving / none', value: ratio(percentile(loaded, 50), percentile(baseline, 50)), unit: 'x' },
      { bench: 'write-path', name: 'posts acknowledged', value: ids.length, unit: 'posts', note: `${round(ids.length / postSeconds)} posts/s over ${round(postSeconds)} s` },
      { bench: 'write-path', name: 'capture done after the last post', value: Math.round(drainMs), unit: 'ms', note: 'until every acknowledged post is a memory record (by id)' },
      { bench: 'write-path', name: 'capture rate', value: Math.round(ids.length / (postSeconds + drainMs / 1000)), unit: 'posts/s', note: 'posts captured per second, from the first post until all are records' }
    ]
  } finally {
    await node.stop()
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:write-path on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchWritePath(quick))
}
