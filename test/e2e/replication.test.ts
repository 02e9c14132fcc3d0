import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/client.js'
import { startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { RecordJson } from '../../src/api/routes/memory.js'
import type { NodeProcess } from '../helpers/cli.js'

const C = 'devsupport'

async function records (dataDir: string): Promise<RecordJson[]> {
  const api = await ApiClient.fromDataDir(dataDir)
  const out: RecordJson[] = []
  let after: string | undefined
  for (;;) {
    const q = new URLSearchParams({ limit: '1000', ...(after == null ? {} : { after }) })
    const { records: page, next } = await api.get<{ records: RecordJson[], next?: string }>(`/v1/communities/${C}/memory/records?${q.toString()}`)
    out.push(...page)
    if (next == null) return out
    after = next
  }
}

async function count (dataDir: string): Promise<number> {
  try {
    return (await records(dataDir)).length
  } catch {
    return -1
  }
}

describe('replication survives SIGKILL', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let config: string
  const procs: NodeProcess[] = []
  const dd = (name: string): string => join(dir.path, name)
  const start = async (name: string, bootstrap?: string): Promise<NodeProcess> => {
    const p = await startNodeProcess(['--config', config, '--data-dir', dd(name), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', ...(bootstrap == null ? [] : ['--bootstrap', bootstrap])])
    procs.push(p)
    return p
  }

  beforeAll(async () => {
    dir = await tempDir()
    config = join(dir.path, 'node.yaml')
    await writeFile(config, `communities: [${C}]\nmemory:\n  syncIntervalMs: 1000\n  capture: { '*': [] }\n`)
  })

  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL')
    await dir.cleanup()
  })

  it('a receiver killed mid-replication, and a writer killed mid-write, restart consistent, reuse no seq, and converge', async () => {
    const n1 = await start('n1')
    const boot = n1.started.multiaddrs[0] ?? ''
    let n2 = await start('n2', boot)
    const writer = await ApiClient.fromDataDir(dd('n1'))
    const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 50 }, (_, k) => ({ text: `record ${b}-${k} about replication under crashes` })))
    const writing = (async () => {
      for (const batch of batches) await writer.post(`/v1/communities/${C}/memory`, { records: batch })
    })()
    await waitFor('n2 is receiving', async () => (await count(dd('n2'))) >= 50, 30_000, 50)
    await n2.stop('SIGKILL')
    await writing
    n2 = await start('n2', boot)
    await waitFor('n2 caught up after the crash', async () => (await count(dd('n2'))) === 600, 60_000, 250)

    // the writer itself dies in the middle of writing
    const more = writer.post(`/v1/communities/${C}/memory`, { records: Array.from({ length: 200 }, (_, k) => ({ text: `late record ${k}` })) }).catch(() => undefined)
    await new Promise(resolve => setTimeout(resolve, 30))
    await n1.stop('SIGKILL')
    await more
    await start('n1', n2.started.multiaddrs[0])
    const writer2 = await ApiClient.fromDataDir(dd('n1'))
    await writer2.post(`/v1/communities/${C}/memory`, { records: [{ text: 'written after the restart' }] })

    const n1Records = await records(dd('n1'))
    const seqs = n1Records.map(r => r.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    // a crash may leave reserved seqs unused (at most one ledger block), never one used twice:
    // the write after the restart is past every seq before it, and covers those skipped
    const after = n1Records.find(r => r.text === 'written after the restart')
    expect(after?.seq).toBe(Math.max(...seqs))
    expect(Math.max(...seqs) - seqs.length).toBeLessThanOrEqual(256)
    const final = n1Records.length
    await waitFor('n2 converges with n1', async () => (await count(dd('n2'))) === final, 60_000, 250)
    const n2Records = await records(dd('n2'))
    expect(n2Records.map(r => `${r.origin}:${r.seq}:${r.id}`).sort()).toEqual(n1Records.map(r => `${r.origin}:${r.seq}:${r.id}`).sort())
    // the skipped seqs leave no gap on the replica
    const status = await (await ApiClient.fromDataDir(dd('n2'))).get<{ communities: Record<string, { replication: Record<string, { lag: number, highestSeq: number }> }> }>('/v1/memory')
    expect(status.communities[C]?.replication[after?.origin ?? '']).toMatchObject({ lag: 0, highestSeq: after?.seq })
  }, 180_000)
})
