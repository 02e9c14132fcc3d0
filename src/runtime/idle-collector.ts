import { performance } from 'node:perf_hooks'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { EventLoopUtilization } from 'node:perf_hooks'

/** When the idle collector runs a collection. */
export interface IdleCollectorOptions {
  /** How often it looks (default 1 s). */
  checkMs?: number
  /** The event loop counts as idle below this share of busy time since the last look (default 0.05). */
  idleBelow?: number
  /** It collects once the heap's resident size has grown by this many bytes since its last collection (default 12 MiB)... */
  growthBytes?: number
  /** ...and by this share of what it was after that collection (default 0.25), so that a large heap is not collected for a small growth. */
  growthRatio?: number
  /** Told of each collection (the node logs it at debug level). */
  onCollect?: (collection: IdleCollection) => void
}

/** One collection the idle collector ran. */
export interface IdleCollection {
  /** The heap's resident size before and after, in bytes. */
  residentBefore: number
  residentAfter: number
  /** How long it held the event loop. */
  ms: number
}

/** A running idle collector. */
export interface IdleCollector {
  /** Times it looked. */
  readonly checks: number
  /** Collections run so far. */
  readonly collections: number
  /** The heap's resident size after the last collection, in bytes (0 before the first). */
  readonly residentAfterLast: number
  stop: () => void
}

/** V8's `gc()`: `last-resort` collects until nothing more is freed, and shrinks the young generation at once. */
type Collect = (options?: { type: 'major', execution: 'sync', flavor: 'last-resort' }) => void

/** What fullCollection found, once per process. */
let found: { collect: Collect | undefined } | undefined

/**
 * V8's full collection, without the `--expose-gc` flag on the command line: the flag is
 * set for as long as it takes to read `gc` in a fresh context (as test runners do to find
 * leaks). Undefined where the runtime refuses.
 */
function fullCollection (): Collect | undefined {
  found ??= { collect: reachCollection() }
  return found.collect
}

function reachCollection (): Collect | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc
  if (typeof exposed === 'function') return exposed as Collect
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    return typeof gc === 'function' ? gc as Collect : undefined
  } catch {
    return undefined
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}

/**
 * Runs now the collection the idle collector runs when a node goes idle; false where the
 * runtime refuses. For a program (a benchmark) that wants the state of a node that has
 * gone idle before it measures.
 *
 * @example
 * ```ts
 * await store.indexBuilt()
 * collectNow()   // the garbage of the writes, gone as on an idle node
 * ```
 */
export function collectNow (): boolean {
  const collect = fullCollection()
  if (collect == null) return false
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' })
  return true
}

/** The heap's resident size: every space V8 has committed pages for, young generation included. */
function residentHeap (): number {
  return getHeapStatistics().total_physical_size
}

/**
 * Gives back the memory of a process that has gone idle. V8 keeps the young generation
 * at the size the busiest moment needed (up to 16 MiB at `--max-semi-space-size=8`) and
 * leaves the garbage of a burst (the start itself: ~1,300 modules compiled) in the old
 * generation until the next allocation-driven collection, which an idle node never
 * reaches: its RSS stays ~20 MiB above what it holds, for as long as it runs. Every
 * `checkMs`, if the event loop was idle since the last look and the heap grew by
 * `growthBytes` (and by `growthRatio` of its size) since the collector last ran, it runs
 * one full collection, which also
 * shrinks the young generation (~40-100 ms of a 40-70 MiB heap, on a loop that had
 * nothing to do). At most one collection per look, none while busy.
 *
 * @example
 * ```ts
 * const idle = startIdleCollector()
 * // ... later
 * idle.collections   // 1 after the start's garbage is collected
 * idle.stop()
 * ```
 */
export function startIdleCollector (options: IdleCollectorOptions = {}): IdleCollector | undefined {
  const collect = fullCollection()
  if (collect == null) return undefined
  const checkMs = options.checkMs ?? 1_000
  const idleBelow = options.idleBelow ?? 0.05
  const growthBytes = options.growthBytes ?? 12 * 1024 * 1024
  const growthRatio = options.growthRatio ?? 0.25
  let checks = 0
  let collections = 0
  let residentAfterLast = 0
  let last: EventLoopUtilization = performance.eventLoopUtilization()
  const timer = setInterval(() => {
    checks++
    const now = performance.eventLoopUtilization()
    const busy = performance.eventLoopUtilization(now, last).utilization
    last = now
    const residentBefore = residentHeap()
    if (busy >= idleBelow || residentBefore - residentAfterLast < Math.max(growthBytes, residentAfterLast * growthRatio)) return
    const t0 = performance.now()
    collect({ type: 'major', execution: 'sync', flavor: 'last-resort' })
    collections++
    residentAfterLast = residentHeap()
    // the collection's own time is not the loop's work
    last = performance.eventLoopUtilization()
    options.onCollect?.({ residentBefore, residentAfter: residentAfterLast, ms: performance.now() - t0 })
  }, checkMs)
  timer.unref()
  return {
    get checks () { return checks },
    get collections () { return collections },
    get residentAfterLast () { return residentAfterLast },
    stop: () => { clearInterval(timer) }
  }
}
