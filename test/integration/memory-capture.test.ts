import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../src/channels/history-store.js'
import { CAPTURE_READER } from '../../src/memory/capture.js'
import { MemoryStoreError } from '../../src/memory/errors.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { MemoryRecord, MemoryStore } from '../../src/memory/types.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
const LAYER: ConfigLayer = { communities: [C], memory: {} }

async function postMany (node: OaNode, n: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push((await node.libp2p.services.channels.post({ community: C, channel: 'general', text: `post ${i}: builds are cached for a day` })).id)
  return ids
}

/** Waits until capture has read the post log to its end. */
async function captured (node: OaNode): Promise<number> {
  const log = node.libp2p.services.channels.postLog()
  const last = log.after(0, 1_000_000).at(-1)?.position ?? 0
  return waitFor('capture at the end of the post log', () => (node.libp2p.services.capture.status()?.position ?? -1) >= last ? last : undefined)
}

describe('capture of posts into memory', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode | undefined

  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => {
    await node?.stop()
    node = undefined
    await dir.cleanup()
  })

  it('writes a post again after a crash between its memory write and the saved position without a second record or seq', async () => {
    node = await startTestNode(dir.path, 'a', LAYER)
    const ids = await postMany(node, 30)
    const position = await captured(node)
    const memory = node.libp2p.services.memory
    const before = new Map((await memory.get(C, ids.map(id => `msg-${id}`))).map(r => [r.id, r.seq]))
    expect(before.size).toBe(30)
    const seq = memory.currentSeq
    await node.stop()
    node = undefined

    // what a crash right after the memory commit leaves: the records durable, the position not saved
    const history = HistoryStore.open({ path: join(dir.path, 'a', 'channels.db'), maxPerChannel: 10_000, maxAgeMs: 86_400_000 })
    history.savePosition(CAPTURE_READER, 0)
    history.close()

    node = await startTestNode(dir.path, 'a', LAYER)
    await captured(node)
    expect(node.libp2p.services.capture.status()).toMatchObject({ position, posts: 0, skipped: 30 })
    expect(node.libp2p.services.memory.currentSeq).toBe(seq)
    const after = new Map((await node.libp2p.services.memory.get(C, ids.map(id => `msg-${id}`))).map(r => [r.id, r.seq]))
    expect(after).toEqual(before)
  })

  it('retries a batch the store refused, and captures it once the store writes again', async () => {
    let down = true
    node = await startTestNode(dir.path, 'b', LAYER, {
      openMemoryStore: async (embedder) => {
        const inner = await SqliteStore.open({ dir: join(dir.path, 'b-memory'), embedder, writeWindowMs: 5 })
        return new Proxy(inner, {
          get: (target, prop, receiver) => {
            if (prop === 'upsert') {
              return async (records: MemoryRecord[]) => {
                if (down) throw new MemoryStoreError('the memory store refused the write')
                return target.upsert(records)
              }
            }
            const value = Reflect.get(target, prop, receiver) as unknown
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
          }
        }) satisfies MemoryStore
      }
    })
    const memory = node.libp2p.services.memory
    const capture = node.libp2p.services.capture
    const [id] = await postMany(node, 1)
    await waitFor('a failed capture', () => (capture.status()?.failures ?? 0) > 0)
    expect(capture.status()?.position).toBe(0)
    down = false
    await waitFor('the post captured', async () => (await memory.get(C, [`msg-${id ?? ''}`])).length === 1)
    await captured(node)
    expect(capture.status()).toMatchObject({ posts: 1 })
  })
})
