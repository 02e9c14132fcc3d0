import { getHeapStatistics } from 'node:v8'
import { afterEach, describe, expect, it } from 'vitest'
import { startIdleCollector } from '../../src/runtime/idle-collector.js'
import { waitFor } from '../helpers/wait.js'
import type { IdleCollection, IdleCollector } from '../../src/runtime/idle-collector.js'

const MiB = 1024 * 1024

/** Garbage the heap keeps until a collection: ~`mib` MiB of small objects, no longer referenced. */
function makeGarbage (mib: number): number {
  const made: unknown[] = []
  for (let i = 0; i < mib * 1024; i++) made.push({ i, text: `garbage ${i}`.repeat(8), list: [i, i + 1, i + 2] })
  return made.length
}

describe('idle collector', () => {
  let idle: IdleCollector | undefined
  afterEach(() => { idle?.stop() })

  it('collects once the loop is idle and the heap has grown, then not again until it grows again', async () => {
    const seen: IdleCollection[] = []
    idle = startIdleCollector({ checkMs: 50, growthBytes: 4 * MiB, growthRatio: 0, onCollect: (c) => { seen.push(c) } })
    expect(idle).toBeDefined()
    makeGarbage(32)
    const collector = idle as IdleCollector
    await waitFor('a collection', () => collector.collections >= 1)
    const first = seen[0] as IdleCollection
    expect(first.residentAfter).toBeLessThan(first.residentBefore)
    expect(collector.residentAfterLast).toBe(first.residentAfter)

    // nothing grows: looks go on, collections do not
    const collections = collector.collections
    const checks = collector.checks
    await waitFor('ten more looks', () => collector.checks >= checks + 10)
    expect(collector.collections).toBe(collections)

    // the heap grows by more than growthBytes: collected again
    const held: unknown[] = []
    for (let i = 0; i < 64 * 1024; i++) held.push({ i, text: `held ${i}`.repeat(8) })
    await waitFor('the heap to grow', () => getHeapStatistics().total_physical_size - collector.residentAfterLast > 4 * MiB)
    held.length = 0
    await waitFor('a second collection', () => collector.collections > collections)
  })

  it('waits for a large heap to grow by its share before collecting again', async () => {
    idle = startIdleCollector({ checkMs: 50, growthBytes: 1, growthRatio: 10 })
    const collector = idle as IdleCollector
    await waitFor('the first collection', () => collector.collections === 1)
    const held: unknown[] = []
    for (let i = 0; i < 64 * 1024; i++) held.push({ i, text: `held ${i}`.repeat(8) })
    await waitFor('the heap to grow', () => getHeapStatistics().total_physical_size - collector.residentAfterLast > 4 * MiB)
    const checks = collector.checks
    await waitFor('ten more looks', () => collector.checks >= checks + 10)
    // grown by a few MiB, far from ten times its size
    expect(collector.collections).toBe(1)
    held.length = 0
  })

  it('does not collect while the event loop is busy', async () => {
    idle = startIdleCollector({ checkMs: 50, growthBytes: 1 })
    const collector = idle as IdleCollector
    // keep the loop ~100 % busy for twenty looks: each turn spins 30 ms, then yields once
    let spinning = true
    const spin = (): void => {
      const until = performance.now() + 30
      while (performance.now() < until) makeGarbage(0.05)
      if (spinning) setImmediate(spin)
    }
    spin()
    await waitFor('twenty looks while busy', () => collector.checks >= 20, 20_000, 10)
    spinning = false
    expect(collector.collections).toBe(0)
    await waitFor('a collection once idle', () => collector.collections >= 1)
  })
})
