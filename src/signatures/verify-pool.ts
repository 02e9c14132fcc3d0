/**
 * Ed25519 checks for throughput (a catch-up's thousands of records): checks asked in
 * the same turn of the event loop are packed into one buffer per thread and checked
 * there with libsodium, so the event loop pays one message per batch instead of a
 * thread-pool job per signature, and the checks run beside it on the other cores.
 * It needs libsodium (`sodiumCheck()`): `verifyByOrigin` uses it only then, and checks
 * with `node:crypto` otherwise. Where a thread cannot start (no built worker script) or
 * fails, the checks run on the calling thread instead: never an error, only slower.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { sodiumCheck } from './sodium.js'
import { CHECK_HEADER_BYTES } from './verify-protocol.js'
import type { VerifyReply, VerifyRequest } from './verify-protocol.js'

interface Check {
  key: Uint8Array
  data: Uint8Array
  signature: Uint8Array
  resolve: (ok: boolean) => void
}

interface Lane {
  worker: Worker
  pending: Map<number, Check[]>
}

/**
 * Fewer checks than this in one turn are done on the calling thread: a thread's message
 * costs more than a few checks, and a node that only ever sees small syncs never starts
 * one (each thread is a JavaScript heap of its own, about 10 MiB).
 */
export const MIN_THREAD_BATCH = 32
/** Threads with nothing to do for this long are stopped, and started again when a large batch comes. */
export const THREAD_IDLE_MS = 10_000

/** The worker script: beside this module once built; from the sources (tests), the built one. */
function workerFile (): string | undefined {
  const here = import.meta.url
  const url = here.endsWith('.ts')
    ? new URL('../../dist/src/signatures/verify-worker.js', here)
    : new URL('./verify-worker.js', here)
  const path = fileURLToPath(url)
  return existsSync(path) ? path : undefined
}

/** Threads of checks: one per core beyond the event loop's, at least one, at most four. */
function laneCount (): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1))
}

/**
 * Checks signatures in batches on threads of their own (see the module comment).
 *
 * @example
 * ```ts
 * const pool = VerifyPool.shared()
 * const ok = await Promise.all(records.map(async r => pool.verify(rawKeyOf(r.origin), bytesOf(r), r.signature)))
 * ```
 */
export class VerifyPool {
  private static instance: VerifyPool | undefined
  private readonly file: string | undefined
  private readonly count: number
  private readonly minBatch: number
  private readonly idleMs: number
  private readonly lanes: Lane[] = []
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private queued: Check[] = []
  private scheduled = false
  private nextId = 1
  private broken = false

  /**
   * A pool of `lanes` threads (one per core beyond the event loop's by default) running
   * `workerFile` (the built `verify-worker.js` by default); the process shares one,
   * `VerifyPool.shared()`.
   */
  constructor (options: { workerFile?: string, lanes?: number, minBatch?: number, idleMs?: number } = {}) {
    this.file = options.workerFile ?? workerFile()
    this.count = options.lanes ?? laneCount()
    this.minBatch = options.minBatch ?? MIN_THREAD_BATCH
    this.idleMs = options.idleMs ?? THREAD_IDLE_MS
  }

  /** Threads running now (0 before the first check, and once they failed). */
  get threads (): number {
    return this.lanes.length
  }

  /** The process's pool, started on first use. */
  static shared (): VerifyPool {
    VerifyPool.instance ??= new VerifyPool()
    return VerifyPool.instance
  }

  /**
   * Whether `signature` over `data` verifies against the raw 32-byte Ed25519 `key`;
   * checked with the others asked in the same turn of the event loop.
   */
  async verify (key: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (signature.byteLength !== 64 || key.byteLength !== 32) return false
    return new Promise<boolean>((resolve) => {
      this.queued.push({ key, data, signature, resolve })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => { this.flush() })
      }
    })
  }

  private flush (): void {
    this.scheduled = false
    const checks = this.queued
    this.queued = []
    const lanes = checks.length < this.minBatch ? [] : this.ensureLanes()
    if (lanes.length === 0) {
      inThread(checks)
      return
    }
    // one batch per thread, in equal shares
    const share = Math.ceil(checks.length / lanes.length)
    for (let i = 0, l = 0; i < checks.length; i += share, l++) {
      const lane = lanes[l] as Lane
      this.send(lane, checks.slice(i, i + share))
    }
  }

  private send (lane: Lane, checks: Check[]): void {
    let bytes = 0
    for (const c of checks) bytes += CHECK_HEADER_BYTES + c.data.byteLength
    const buffer = new ArrayBuffer(bytes)
    const out = new Uint8Array(buffer)
    const view = new DataView(buffer)
    let at = 0
    for (const c of checks) {
      view.setUint32(at, c.data.byteLength, true)
      out.set(c.key, at + 4)
      out.set(c.signature, at + 36)
      out.set(c.data, at + CHECK_HEADER_BYTES)
      at += CHECK_HEADER_BYTES + c.data.byteLength
    }
    const id = this.nextId++
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    lane.pending.set(id, checks)
    if (lane.pending.size === 1) lane.worker.ref()
    const request: VerifyRequest = { id, count: checks.length, buffer }
    lane.worker.postMessage(request, [buffer])
  }

  private ensureLanes (): Lane[] {
    if (this.lanes.length > 0 || this.broken) return this.lanes
    const file = this.file
    if (file == null || sodiumCheck() == null) {
      this.broken = true
      return this.lanes
    }
    try {
      for (let i = 0; i < this.count; i++) this.lanes.push(this.startLane(file))
    } catch {
      this.stopAll()
    }
    return this.lanes
  }

  private startLane (file: string): Lane {
    const worker = new Worker(file, { name: 'oa-signatures' })
    const lane: Lane = { worker, pending: new Map() }
    worker.unref()
    worker.on('message', (reply: VerifyReply) => {
      const checks = lane.pending.get(reply.id)
      if (checks == null) return
      lane.pending.delete(reply.id)
      if (lane.pending.size === 0) {
        worker.unref()
        this.stopWhenIdle()
      }
      checks.forEach((c, i) => { c.resolve(reply.ok[i] === 1) })
    })
    const fail = (): void => {
      // the thread is gone: what it held is checked here, and so is everything after
      const held = [...lane.pending.values()].flat()
      lane.pending.clear()
      this.stopAll()
      inThread(held)
    }
    worker.on('error', fail)
    worker.on('exit', fail)
    return lane
  }

  /** Stops the threads once none has had anything to do for `idleMs`. */
  private stopWhenIdle (): void {
    if (this.lanes.some(l => l.pending.size > 0)) return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined
      if (this.lanes.some(l => l.pending.size > 0)) return
      for (const lane of this.lanes.splice(0)) {
        lane.worker.removeAllListeners('exit').removeAllListeners('error').on('error', () => {})
        void lane.worker.terminate()
      }
    }, this.idleMs)
    this.idleTimer.unref()
  }

  private stopAll (): void {
    this.broken = true
    const lanes = this.lanes.splice(0)
    for (const lane of lanes) {
      lane.worker.removeAllListeners('exit')
      void lane.worker.terminate()
      const held = [...lane.pending.values()].flat()
      lane.pending.clear()
      inThread(held)
    }
  }
}

/** The checks on the calling thread, with libsodium, or reported invalid where it is missing (callers fall back to node:crypto before they get here). */
function inThread (checks: Check[]): void {
  const check = sodiumCheck()
  for (const c of checks) c.resolve(check?.(c.signature, c.data, c.key) === true)
}
