import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MemoryStoreError } from '../../errors.js'
import { fromWireError } from './messages.js'
import type { FromHost, StoreCall, ToHost } from './messages.js'
import type { EmbeddedStoreInit } from '../embedded.js'
import type { ChildProcess } from 'node:child_process'

/** How long a closing store process may take to commit and shut before it is killed. */
const CLOSE_TIMEOUT_MS = 30_000

/** The compiled host script. Run from the TypeScript sources (the tests), it is the one `npm run build` wrote to dist/. */
function hostEntry (): string {
  const here = fileURLToPath(new URL('./host.js', import.meta.url))
  if (existsSync(here)) return here
  const built = here.replace(`${sep}src${sep}memory${sep}`, `${sep}dist${sep}src${sep}memory${sep}`)
  if (existsSync(built)) return built
  throw new MemoryStoreError(`cannot find the memory store process script ${here}; build the project first (npm run build)`)
}

interface Call {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

export interface StoreChildEvents {
  /** A warning the store printed (a failed background optimization, ...). */
  warning: (message: string) => void
  /** The process exited without being closed; its calls in flight were rejected. */
  crash: (reason: string) => void
}

/**
 * One store process and the calls in flight to it. `StoreChild.start` resolves once the
 * store in it is open; calls made after the process died reject with a MemoryStoreError.
 */
export class StoreChild {
  /** Resident memory of the process at its last answer, in bytes. */
  rss = 0
  readonly pid: number | undefined
  private readonly proc: ChildProcess
  private readonly calls = new Map<number, Call>()
  private readonly idleWaiters: Array<() => void> = []
  private readonly exited: Promise<void>
  private nextId = 1
  private closing = false
  private gone?: string

  private constructor (proc: ChildProcess, private readonly events: StoreChildEvents) {
    this.proc = proc
    this.pid = proc.pid
    this.exited = new Promise(resolve => {
      proc.once('exit', (code, signal) => {
        this.gone = signal == null ? `exit code ${code}` : `signal ${signal}`
        const err = new MemoryStoreError(`the memory store process (pid ${this.pid}) stopped (${this.gone}) before it answered; the call may not have completed`)
        for (const call of this.calls.values()) call.reject(err)
        this.calls.clear()
        this.settled()
        if (!this.closing) this.events.crash(this.gone)
        resolve()
      })
    })
    proc.on('message', (msg: FromHost) => { this.onMessage(msg) })
    // a send to a process that has just died fails here as well as in the exit handler
    proc.on('error', () => {})
  }

  /** Starts a store process and opens the store in it; rejects with the store's own error (an embedder mismatch, ...). */
  static async start (init: EmbeddedStoreInit, events: StoreChildEvents): Promise<StoreChild> {
    const proc = fork(hostEntry(), [], {
      serialization: 'advanced',
      // its warnings come to the node as messages; stdout is the node's alone (`--json` output);
      // it sizes its young generation as the node does (see bin/oa-node)
      execArgv: ['--no-warnings', ...process.execArgv.filter(arg => arg.startsWith('--max-semi-space-size'))],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc']
    })
    const opening = new Promise<FromHost>((resolve, reject) => {
      const onOpen = (msg: FromHost): void => {
        if (msg.type !== 'opened' && msg.type !== 'failed') return
        proc.off('message', onOpen)
        resolve(msg)
      }
      proc.on('message', onOpen)
      proc.once('exit', (code, signal) => { reject(new MemoryStoreError(`the memory store process stopped (${signal ?? `exit code ${code}`}) while opening the store`)) })
      proc.once('error', err => { reject(new MemoryStoreError(`cannot start the memory store process: ${err.message}`)) })
    })
    const child = new StoreChild(proc, events)
    child.send({ type: 'open', init })
    const first = await opening.catch(async (err: unknown) => {
      child.closing = true
      await child.exited
      throw err
    })
    if (first.type === 'opened') {
      child.rss = first.rss
      return child
    }
    child.closing = true
    await child.exited
    throw first.type === 'failed' ? fromWireError(first.error) : new MemoryStoreError(`the memory store process answered ${first.type} while opening`)
  }

  get alive (): boolean {
    return this.gone == null
  }

  get inFlight (): number {
    return this.calls.size
  }

  call (call: StoreCall, args: unknown[]): Promise<unknown> {
    if (this.gone != null) return Promise.reject(new MemoryStoreError(`the memory store process (pid ${this.pid}) has stopped (${this.gone})`))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject })
      try {
        this.send({ type: 'call', id, call, args })
      } catch (err) {
        this.calls.delete(id)
        this.settled()
        reject(new MemoryStoreError(`cannot send a ${call} call to the memory store process: ${(err as Error).message}`))
      }
    })
  }

  /** Resolves when no call is in flight. */
  idle (): Promise<void> {
    if (this.calls.size === 0) return Promise.resolve()
    return new Promise(resolve => { this.idleWaiters.push(resolve) })
  }

  /** Commits what the store holds, closes it and waits for the process to exit (killed past 30 s). */
  async close (): Promise<void> {
    this.closing = true
    if (this.gone != null) return
    try {
      this.send({ type: 'close' })
    } catch {
      this.proc.kill('SIGKILL')
    }
    const timer = setTimeout(() => { this.proc.kill('SIGKILL') }, CLOSE_TIMEOUT_MS)
    await this.exited
    clearTimeout(timer)
  }

  /** Kills the process at once (tests of a crashed store). */
  kill (): void {
    this.proc.kill('SIGKILL')
  }

  private send (msg: ToHost): void {
    this.proc.send(msg)
  }

  private onMessage (msg: FromHost): void {
    switch (msg.type) {
      case 'result': {
        this.rss = msg.rss
        const call = this.calls.get(msg.id)
        if (call == null) return
        this.calls.delete(msg.id)
        if (msg.error != null) call.reject(fromWireError(msg.error))
        else call.resolve(msg.value)
        this.settled()
        return
      }
      case 'warning':
        this.events.warning(msg.message)
    }
  }

  private settled (): void {
    if (this.calls.size > 0) return
    for (const resolve of this.idleWaiters.splice(0)) resolve()
  }
}
