import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/client.js'
import { startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { RecordJson } from '../../src/api/routes/memory.js'
import type { NodeProcess } from '../helpers/cli.js'

/** Seconds of chaos: bounded in `npm test`, longer with `npm run test:chaos` (CHAOS_SECONDS). */
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 15)
const NODES = 4
const C = 'devsupport'

async function heldIds (dataDir: string): Promise<Set<string>> {
  const api = await ApiClient.fromDataDir(dataDir)
  const ids = new Set<string>()
  let after: string | undefined
  for (;;) {
    const q = new URLSearchParams({ limit: '1000', ...(after == null ? {} : { after }) })
    const { records, next } = await api.get<{ records: RecordJson[], next?: string }>(`/v1/communities/${C}/memory/records?${q.toString()}`)
    for (const r of records) ids.add(r.id)
    if (next == null) return ids
    after = next
  }
}

describe(`chaos: ${NODES} node processes, writes acknowledged while nodes are SIGKILLed and restarted and connections cut and restored, for ${SECONDS}s`, () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const live = new Map<number, NodeProcess>()
  const unexpected: string[] = []

  afterAll(async () => {
    for (const p of live.values()) await p.stop('SIGKILL')
    await dir.cleanup()
  })

  it('every acknowledged memory write and channel post ends up on every node, in one order, and only killed nodes died', async () => {
    dir = await tempDir('oa-chaos-')
    const config = join(dir.path, 'node.yaml')
    await writeFile(config, `communities: [${C}]\nchannels:\n  history:\n    backfillLimit: 1000\nmemory:\n  syncIntervalMs: 1000\n  capture: { '*': [] }\n`)
    const dataDir = (i: number): string => join(dir.path, `n${i}`)
    const start = async (i: number): Promise<void> => {
      const peers = [...live.values()].map(p => p.started.multiaddrs[0]).filter((m): m is string => m != null)
      const p = await startNodeProcess(['--config', config, '--data-dir', dataDir(i), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', ...peers.slice(0, 2).flatMap(m => ['--bootstrap', m])])
      live.set(i, p)
      void p.exited.then((code) => { if (live.get(i) === p) unexpected.push(`n${i} exited with ${code ?? 'a signal'}`) })
    }
    for (let i = 0; i < NODES; i++) await start(i)

    const acknowledged: string[] = []
    const posted: string[] = []
    let kills = 0
    let down: number | undefined
    let downSince = 0
    let cut: { from: number, to: number, since: number } | undefined
    let cuts = 0
    const deadline = Date.now() + SECONDS * 1000
    // a bounded loop: at most one write every 100 ms until the deadline, and a hard cap
    for (let step = 0; Date.now() < deadline && step < 10_000; step++) {
      const writers = [...live.keys()]
      const i = writers[step % writers.length] ?? 0
      try {
        const api = await ApiClient.fromDataDir(dataDir(i))
        const { records } = await api.post<{ records: Array<{ id: string }> }>(`/v1/communities/${C}/memory`, { records: [{ text: `chaos write ${step} on n${i}` }, { text: `chaos write ${step}b on n${i}` }] })
        acknowledged.push(...records.map(r => r.id))
        // every third step: a long run stays within the backfill limit and one history page
        if (step % 3 === 0) {
          const { message } = await api.post<{ message: { id: string } }>(`/v1/communities/${C}/channels/general/messages`, { text: `chaos post ${step} from n${i}` })
          posted.push(message.id)
        }
      } catch {
        // the node may have just been killed: an unacknowledged write promises nothing
      }
      if (cut == null && step % 10 === 3) {
        // cut every connection between two live nodes, both ways
        const [from, to] = [...live.keys()].slice(-2)
        const a = live.get(from ?? 0)
        const b = live.get(to ?? 0)
        if (from != null && to != null && a != null && b != null) {
          await (await ApiClient.fromDataDir(dataDir(from))).request('DELETE', `/v1/peers/${b.started.peerId}`).catch(() => undefined)
          await (await ApiClient.fromDataDir(dataDir(to))).request('DELETE', `/v1/peers/${a.started.peerId}`).catch(() => undefined)
          cut = { from, to, since: Date.now() }
          cuts++
        }
      } else if (cut != null && Date.now() - cut.since > 1500) {
        const target = live.get(cut.to)?.started.multiaddrs[0]
        if (target != null && live.has(cut.from)) await (await ApiClient.fromDataDir(dataDir(cut.from))).post('/v1/peers', { multiaddr: target }).catch(() => undefined)
        cut = undefined
      }
      if (down == null && step % 15 === 7) {
        const victim = 1 + (kills % (NODES - 1))
        const p = live.get(victim)
        live.delete(victim)
        await p?.stop('SIGKILL')
        down = victim
        downSince = Date.now()
        kills++
      } else if (down != null && Date.now() - downSince > 1500) {
        await start(down)
        down = undefined
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    if (down != null) await start(down)

    expect(kills).toBeGreaterThan(0)
    expect(cuts).toBeGreaterThan(0)
    expect(acknowledged.length).toBeGreaterThan(10)
    for (const i of live.keys()) {
      await waitFor(`n${i} holds every acknowledged write`, async () => {
        const held = await heldIds(dataDir(i))
        return acknowledged.every(id => held.has(id))
      }, 90_000, 500)
    }
    // channel history: every live node holds every acknowledged post (live or backfilled), in the same order
    const histories = new Map<number, string[]>()
    for (const i of live.keys()) {
      await waitFor(`n${i} holds every acknowledged post`, async () => {
        const api = await ApiClient.fromDataDir(dataDir(i))
        const { messages } = await api.get<{ messages: Array<{ id: string }> }>(`/v1/communities/${C}/channels/general/messages?limit=1000`)
        histories.set(i, messages.map(m => m.id).filter(id => posted.includes(id)))
        return posted.every(id => messages.some(m => m.id === id))
      }, 90_000, 500)
    }
    const orders = [...histories.values()].map(h => h.join())
    expect(new Set(orders).size).toBe(1)
    expect(unexpected).toEqual([])
  }, 240_000)
})
