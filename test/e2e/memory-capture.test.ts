import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/client.js'
import { POST_BATCH } from '../../src/memory/capture.js'
import { SEQ_BLOCK } from '../../src/memory/replication/seq-ledger.js'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { RecordJson } from '../../src/api/routes/memory.js'
import type { EventJson } from '../../src/events/json.js'
import type { CaptureStatus } from '../../src/memory/capture.js'
import type { NodeProcess } from '../helpers/cli.js'

const C = 'devsupport'
const IN_FLIGHT = 16

/** Every record of the community, by id, paged through the export endpoint. */
async function recordsById (api: ApiClient): Promise<Map<string, RecordJson>> {
  const byId = new Map<string, RecordJson>()
  let after: string | undefined
  for (;;) {
    const q = new URLSearchParams({ limit: '1000', ...(after == null ? {} : { after }) })
    const { records, next } = await api.get<{ records: RecordJson[], next?: string }>(`/v1/communities/${C}/memory/records?${q.toString()}`)
    for (const r of records) byId.set(r.id, r)
    if (next == null) return byId
    after = next
  }
}

/**
 * Posts through the API, IN_FLIGHT at a time, until `stop()` or `limit` posts; the ids
 * of the posts the node acknowledged are in `acknowledged`. Posts cut off by a killed
 * node fail and are not counted.
 */
function burst (api: ApiClient, limit: number): { acknowledged: string[], stop: () => void, done: Promise<void> } {
  const acknowledged: string[] = []
  let stopped = false
  let sent = 0
  const worker = async (): Promise<void> => {
    while (!stopped && sent < limit) {
      const n = sent++
      try {
        const { message } = await api.post<{ message: EventJson }>(`/v1/communities/${C}/channels/general/messages`, { text: `burst post ${n}: the build cache lives in /var/cache/build` })
        acknowledged.push(message.id)
      } catch {
        return
      }
    }
  }
  const done = Promise.all(Array.from({ length: IN_FLIGHT }, worker)).then(() => undefined)
  return { acknowledged, stop: () => { stopped = true }, done }
}

describe('posts captured into memory survive a crash and a stop of the node process', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: NodeProcess | undefined
  const dataDir = (): string => join(dir.path, 'n1')
  const start = async (): Promise<ApiClient> => {
    node = await startNodeProcess(['--community', C, '--data-dir', dataDir(), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
    return ApiClient.fromDataDir(dataDir())
  }

  beforeEach(async () => {
    dir = await tempDir()
  })

  afterEach(async () => {
    await node?.stop('SIGKILL')
    await dir.cleanup()
  })

  /**
   * After a restart, every acknowledged post is a `msg-<id>` record, each with its own
   * seq; a crash may leave the seqs of the batch in flight and one ledger block past it
   * unused, never one given twice.
   */
  const expectAllCaptured = async (api: ApiClient, acknowledged: string[]): Promise<void> => {
    const expected = acknowledged.map(id => `msg-${id}`)
    const records = await waitFor('every acknowledged post captured', async () => {
      const byId = await recordsById(api)
      return expected.every(id => byId.has(id)) ? byId : undefined
    }, 60_000, 250)
    const missing = expected.filter(id => !records.has(id))
    expect(missing).toEqual([])
    const seqs = [...records.values()].map(r => r.seq).sort((a, b) => a - b)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(Math.max(...seqs) - seqs.length).toBeLessThanOrEqual(POST_BATCH + SEQ_BLOCK)
  }

  it('a node SIGKILLed during a burst of acknowledged posts captures every one of them after its restart', async () => {
    let api = await start()
    const posts = burst(api, 100_000)
    // kill while posts are arriving and capture has not caught up with them
    const behind = await waitFor('capture behind a burst of 600 acknowledged posts', async () => {
      if (posts.acknowledged.length < 600) return undefined
      const { capture } = await api.get<{ capture: CaptureStatus }>('/v1/memory')
      return capture.posts < posts.acknowledged.length ? capture : undefined
    }, 60_000, 20)
    await node?.stop('SIGKILL')
    posts.stop()
    await posts.done
    expect(behind.posts).toBeLessThan(posts.acknowledged.length)

    api = await start()
    await expectAllCaptured(api, posts.acknowledged)
  }, 180_000)

  it('a node stopped cleanly during a burst of acknowledged posts captures every one of them after its restart', async () => {
    let api = await start()
    const posts = burst(api, 100_000)
    await waitFor('600 acknowledged posts', () => posts.acknowledged.length >= 600, 60_000, 20)
    expect(await node?.stop('SIGINT')).toBe(0)
    posts.stop()
    await posts.done

    api = await start()
    await expectAllCaptured(api, posts.acknowledged)
  }, 180_000)

  it('a memory add issued during a burst of posts completes and its record is searchable', async () => {
    const api = await start()
    const posts = burst(api, 3000)
    await waitFor('a burst under way', () => posts.acknowledged.length >= 200, 60_000, 20)
    const add = await runCli(['memory', 'add', C, 'Rotate the signing key with oa-node keys rotate before it expires', '--kind', 'expert_knowledge', '--data-dir', dataDir()])
    const during = posts.acknowledged.length
    expect(add.code, add.stderr).toBe(0)
    const id = /^remembered (\S+)/.exec(add.stdout)?.[1]
    expect(id).toBeDefined()
    const search = await runCli(['memory', 'search', C, 'how do I rotate the signing key?', '--kind', 'expert_knowledge', '--json', '--data-dir', dataDir()])
    expect(search.code, search.stderr).toBe(0)
    expect(search.stdout.trim().split('\n').map(l => (JSON.parse(l) as { id: string }).id)).toContain(id)
    posts.stop()
    await posts.done
    // the add was answered while posts were still arriving
    expect(posts.acknowledged.length).toBeGreaterThan(during)
  }, 120_000)
})
