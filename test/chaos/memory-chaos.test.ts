import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/client.js'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { RecordJson } from '../../src/api/routes/memory.js'
import type { CliResult, NodeProcess } from '../helpers/cli.js'
import type { DataDirCheck } from '../../src/node/check-data-dir.js'
import type { EventJson } from '../../src/events/json.js'

/** Seconds of chaos: bounded in `npm test`, longer with `npm run test:chaos` (CHAOS_SECONDS). */
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 15)
const NODES = 4
const C = 'devsupport'
const SCRIBE = join(import.meta.dirname, '..', 'fixtures', 'agents', 'scribe.mjs')

/** `oa-node check` on a data dir: a real process reading the files a SIGKILL left. */
async function checkFiles (dataDir: string): Promise<{ dataDir: string, result: CliResult }> {
  return { dataDir, result: await runCli(['check', '--json', '--data-dir', dataDir], { timeoutMs: 60_000 }) }
}

function damage ({ dataDir, result }: { dataDir: string, result: CliResult }): string | undefined {
  if (result.code === 0) return undefined
  try {
    const report = JSON.parse(result.stdout) as DataDirCheck
    return `${dataDir}: ${[...report.identity.problems, ...report.channels.problems, ...report.memory.problems].join('; ')}`
  } catch {
    return `${dataDir}: check exited with ${result.code ?? 'a signal'}: ${result.stderr}`
  }
}

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

describe(`chaos: ${NODES} node processes with agents, writes acknowledged while nodes and their store processes are SIGKILLed and restarted and connections cut and restored, for ${SECONDS}s`, () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const live = new Map<number, NodeProcess>()
  const unexpected: string[] = []

  afterAll(async () => {
    for (const p of live.values()) await p.stop('SIGKILL')
    await dir.cleanup()
  })

  it('every acknowledged memory write and channel post ends up on every node, in one order, and every acknowledged delete removes its record from every node; only killed nodes died and their files are sound', async () => {
    dir = await tempDir('oa-chaos-')
    const config = join(dir.path, 'node.yaml')
    await writeFile(config, `communities: [${C}]\nchannels:\n  history:\n    backfillLimit: 1000\nmemory:\n  syncIntervalMs: 1000\n  capture: { '*': [] }\nagents:\n  - name: scribe\n    module: ${JSON.stringify(SCRIBE)}\n    capabilities: [notes]\n`)
    const dataDir = (i: number): string => join(dir.path, `n${i}`)
    const start = async (i: number): Promise<void> => {
      const peers = [...live.values()].map(p => p.started.multiaddrs[0]).filter((m): m is string => m != null)
      const p = await startNodeProcess(['--config', config, '--data-dir', dataDir(i), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', ...peers.slice(0, 2).flatMap(m => ['--bootstrap', m])])
      live.set(i, p)
      void p.exited.then((code) => { if (live.get(i) === p) unexpected.push(`n${i} exited with ${code ?? 'a signal'}`) })
    }
    for (let i = 0; i < NODES; i++) await start(i)

    const acknowledged: string[] = []
    /** Per node, the ids its API wrote that were acknowledged: the records it may delete. */
    const ownIds = new Map<number, string[]>()
    const deleted = new Set<string>()
    /** Deletes whose node died before answering: deleted or not, either is right. */
    const unsure = new Set<string>()
    const posted: string[] = []
    let byAgents = 0
    let kills = 0
    const checks: Array<Promise<{ dataDir: string, result: CliResult }>> = []
    let checking: Promise<unknown> | undefined
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
        if (step % 2 === 0) {
          // a user writes through the node's API
          const { records } = await api.post<{ records: Array<{ id: string }> }>(`/v1/communities/${C}/memory`, { records: [{ text: `chaos write ${step} on n${i}` }, { text: `chaos write ${step}b on n${i}` }] })
          acknowledged.push(...records.map(r => r.id))
          ownIds.set(i, [...ownIds.get(i) ?? [], ...records.map(r => r.id)])
          // every fourth write also deletes one of the node's own earlier records, everywhere
          const own = ownIds.get(i) ?? []
          if (step % 4 === 0 && own.length > 2) {
            const id = own.splice(Math.floor(own.length / 2), 1)[0] ?? ''
            unsure.add(id)
            await api.delete(`/v1/communities/${C}/memory/${id}`)
            unsure.delete(id)
            deleted.add(id)
          }
          // every third write posts too: a long run stays within the backfill limit and one history page
          if (step % 6 === 0) {
            const { message } = await api.post<{ message: { id: string } }>(`/v1/communities/${C}/channels/general/messages`, { text: `chaos post ${step} from n${i}` })
            posted.push(message.id)
          }
        } else {
          // an agent on another node remembers and posts, asked over the network
          const j = writers[(step + 1) % writers.length] ?? i
          const target = live.get(j)?.started.peerId
          if (target != null && j !== i) {
            const payload = { remember: `scribe note ${step} by n${j}`, ...(step % 6 === 1 ? { post: `scribe post ${step} by n${j}` } : {}) }
            const { reply } = await api.post<{ reply: EventJson }>(`/v1/agents/scribe@${target}/requests`, { payload, community: C, timeoutMs: 5000 })
            const done = reply.payload as { record?: string, message?: string }
            if (done.record != null) {
              acknowledged.push(done.record)
              byAgents++
            }
            if (done.message != null) posted.push(done.message)
          }
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
        // the files as the kill left them, before the restart touches them
        const check = checkFiles(dataDir(victim))
        checks.push(check)
        checking = check.then(() => { checking = undefined })
      } else if (down != null && checking == null && Date.now() - downSince > 1500) {
        await start(down)
        down = undefined
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    await checking
    if (down != null) await start(down)

    expect(kills).toBeGreaterThan(0)
    expect(cuts).toBeGreaterThan(0)
    expect(acknowledged.length).toBeGreaterThan(10)
    expect(byAgents).toBeGreaterThan(0)
    expect(deleted.size).toBeGreaterThan(0)
    const kept = acknowledged.filter(id => !deleted.has(id) && !unsure.has(id))
    for (const i of live.keys()) {
      await waitFor(`n${i} holds every acknowledged write and none of the ${deleted.size} deleted records`, async () => {
        const held = await heldIds(dataDir(i))
        return kept.every(id => held.has(id)) && [...deleted].every(id => !held.has(id))
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

    // the end: SIGKILL every node in the middle of writes, then check every data dir
    const burst = [...live.keys()].map(async i => (await ApiClient.fromDataDir(dataDir(i))).post(`/v1/communities/${C}/memory`, { records: Array.from({ length: 50 }, (_, k) => ({ text: `last write ${k} on n${i}` })) }).catch(() => undefined))
    await new Promise(resolve => setTimeout(resolve, 50))
    for (const [i, p] of [...live.entries()]) {
      live.delete(i)
      await p.stop('SIGKILL')
    }
    await Promise.all(burst)
    for (let i = 0; i < NODES; i++) checks.push(checkFiles(dataDir(i)))
    const results = await Promise.all(checks)
    process.stdout.write(`chaos: ${kills} kills, ${cuts} cuts, ${acknowledged.length} acknowledged writes (${byAgents} by agents), ${deleted.size} deletes, ${posted.length} posts, ${results.length} data dir checks\n`)
    expect(results.length).toBe(kills + NODES)
    expect(results.map(damage).filter(d => d != null)).toEqual([])
    // the checks read what the nodes held (a deleted record's row is its tombstone)
    for (const { result } of results.slice(-NODES)) {
      const report = JSON.parse(result.stdout) as DataDirCheck
      expect(report.memory.records).toBeGreaterThanOrEqual(acknowledged.length)
      expect(report.channels.messages).toBeGreaterThanOrEqual(posted.length)
    }
  }, 300_000)
})
