import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/local.js'
import { EmbedderMismatchError, MemoryInputError, MemoryStoreError } from '../../src/memory/errors.js'
import { ProcessStore } from '../../src/memory/stores/process/process-store.js'
import { memoryStoreContract, onDisk, record } from '../contract/memory-store.js'
import { isGone } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ProcessStoreInit } from '../../src/memory/stores/process/process-store.js'

const embedder = new LocalEmbedder()
const open = async (dir: string, extra: Partial<ProcessStoreInit> = {}): Promise<ProcessStore> =>
  ProcessStore.open({ dir, embedder, writeWindowMs: 10, vectorIndexThreshold: 10_000, ...extra })

const alive = (pid: number): boolean => !isGone(pid)

memoryStoreContract('embedded in a store process', onDisk(async dir => open(dir)))

describe('store process', () => {
  it('is replaced past its memory bound while writes and reads go on, and loses no write', async () => {
    const dir = await tempDir('oa-memp-')
    const warnings: string[] = []
    // a 1 MiB bound: every answer is over it, so the store is replaced as often as allowed
    const store = await open(join(dir.path, 'memory'), { recycleRssMiB: 1, minRecycleIntervalMs: 0, onWarning: m => warnings.push(m) })
    try {
      const firstPid = store.info().pid
      const written: string[] = []
      for (let round = 0; round < 3; round++) {
        const work: Array<Promise<unknown>> = []
        for (let i = 0; i < 10; i++) {
          const r = await record('alpha', `note ${round}-${i} about replacing the store process`)
          written.push(r.id)
          work.push(store.upsert([r]))
          work.push(store.count({ communities: ['alpha'] }))
        }
        await Promise.all(work)
        // each round's answers found the process over its bound: a replacement follows
        await waitFor(`replacement number ${round + 1}`, () => store.info().recycles > round, 10_000)
      }
      const info = store.info()
      expect(info.recycles).toBeGreaterThanOrEqual(3)
      expect(info.restarts).toBe(0)
      expect(info.pid).not.toBe(firstPid)
      expect(firstPid != null && alive(firstPid)).toBe(false)
      expect(await store.count({ communities: ['alpha'] })).toBe(30)
      expect((await store.get(written, ['alpha'])).map(r => r.id).sort()).toEqual([...written].sort())
      expect(warnings).toEqual([])
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('starts again after its process is killed; calls in flight reject, acknowledged writes are all there', async () => {
    const dir = await tempDir('oa-memp-')
    const warnings: string[] = []
    const store = await open(join(dir.path, 'memory'), { onWarning: m => warnings.push(m) })
    try {
      const acknowledged = await record('alpha', 'written before the store process was killed')
      await store.upsert([acknowledged])
      const pid = store.info().pid ?? 0
      const inFlight = store.upsert([await record('alpha', 'in flight while the process dies')]).then(() => 'stored', (err: unknown) => err)
      process.kill(pid, 'SIGKILL')
      const outcome = await inFlight
      // the write may have committed just before the kill; if not, it was refused, never acknowledged
      if (outcome !== 'stored') {
        expect(outcome).toBeInstanceOf(MemoryStoreError)
        expect((outcome as Error).message).toMatch(/stopped \(signal SIGKILL\)/)
      }
      await waitFor('a warning that the store process stopped', () => warnings.some(w => /stopped unexpectedly \(signal SIGKILL\)/.test(w)), 5_000)
      const after = await record('alpha', 'written after the restart')
      await store.upsert([after])
      expect(store.info().restarts).toBe(1)
      expect(store.info().pid).not.toBe(pid)
      expect((await store.get([acknowledged.id, after.id], ['alpha'])).length).toBe(2)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('gives the store\'s own errors back with their class: bad input, embedder mismatch', async () => {
    const dir = await tempDir('oa-memp-')
    try {
      const store = await open(join(dir.path, 'memory'))
      const bad = await store.search({ mode: 'text', text: '   ', k: 3, filter: { communities: ['alpha'] } }).catch((err: unknown) => err)
      expect(bad).toBeInstanceOf(MemoryInputError)
      expect((bad as MemoryInputError).code).toBe('bad_query')
      await store.close()
      const other = ProcessStore.open({ dir: join(dir.path, 'memory'), embedder: { name: 'openai:text-embedding-3-small', dimension: 1536 }, writeWindowMs: 10, vectorIndexThreshold: 10_000 })
      await expect(other).rejects.toThrow(EmbedderMismatchError)
      await expect(other).rejects.toThrow(/embedded with local-hash-v2 \(1024 dimensions\)/)
    } finally {
      await dir.cleanup()
    }
  })

  it('stops with its node: a node killed with SIGKILL leaves no store process behind', async () => {
    const dir = await tempDir('oa-memp-')
    const holder = spawn(process.execPath, [join(import.meta.dirname, '../fixtures/store-holder.mjs'), join(dir.path, 'memory')], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const lines = createInterface({ input: holder.stdout })
      const first = await new Promise<string>(resolve => { lines.once('line', resolve) })
      const { storePid } = JSON.parse(first) as { storePid: number }
      expect(alive(storePid)).toBe(true)
      holder.kill('SIGKILL')
      await waitFor('the store process to exit after its node was killed', () => !alive(storePid), 10_000)
      expect(alive(storePid)).toBe(false)
      // what it acknowledged before the kill is on disk
      const store = await open(join(dir.path, 'memory'))
      expect(await store.count({ communities: ['alpha'] })).toBe(1)
      await store.close()
    } finally {
      holder.kill('SIGKILL')
      await dir.cleanup()
    }
  })
})
