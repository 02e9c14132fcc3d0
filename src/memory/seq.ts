import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'

const BLOCK = 1000

/**
 * The per-origin sequence number of this node's records: monotonic, persisted, never
 * reused after a crash. Numbers are reserved on disk a block at a time (fsynced before
 * any is handed out); after a restart counting resumes past the reserved block, so a
 * crash can leave a gap but never a repeat.
 */
export class SeqCounter {
  private readonly path: string
  private next: number
  private reserved: number

  constructor (dir: string) {
    this.path = join(dir, 'seq.json')
    let reserved: number
    try {
      const value = (JSON.parse(readFileSync(this.path, 'utf8')) as { reserved?: unknown }).reserved
      reserved = typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0
    } catch {
      reserved = 0
    }
    this.next = reserved + 1
    this.reserved = reserved
  }

  /** The next sequence number (1, 2, 3, ...). */
  take (): number {
    if (this.next > this.reserved) this.reserve(this.next + BLOCK - 1)
    return this.next++
  }

  /** The highest number handed out so far. */
  get current (): number {
    return this.next - 1
  }

  private reserve (upTo: number): void {
    const tmp = `${this.path}.tmp`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, JSON.stringify({ reserved: upTo }))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
    this.reserved = upTo
  }
}
