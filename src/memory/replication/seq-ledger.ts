import { open, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ensurePrivateDir, writePrivateFile } from '../../files/private-files.js'
import { MemoryStoreError } from '../errors.js'

/** Seqs reserved by one write of the ledger: a write costs an extra fsync once per block. */
export const SEQ_BLOCK = 256

/**
 * The durable high-water mark of this node's record seqs, kept apart from the store so
 * that a seq is never handed out twice whatever the store holds (a record lost or
 * replaced there, a store moved away). Seqs are reserved in blocks: the mark on disk is
 * raised before a seq above it is used, and lowered to the highest seq used on a clean
 * stop, so only a crash leaves unused seqs behind.
 *
 * @example
 * ```ts
 * const ledger = await SeqLedger.open('n1/memory/seq.json')
 * const next = Math.max(storeHighest, ledger.reserved) + 1
 * await ledger.reserve(next)   // durable before `next` is used
 * ```
 */
export class SeqLedger {
  private readonly path: string
  private mark: number

  private constructor (path: string, mark: number) {
    this.path = path
    this.mark = mark
  }

  /** Opens the ledger; a missing file is a ledger at 0. Throws MemoryStoreError on an unreadable one. */
  static async open (path: string): Promise<SeqLedger> {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new SeqLedger(path, 0)
      throw new MemoryStoreError(`cannot read the seq ledger ${path}: ${(err as Error).message}`)
    }
    let reserved: unknown
    try {
      reserved = (JSON.parse(text) as { reserved?: unknown }).reserved
    } catch {
      reserved = undefined
    }
    if (typeof reserved !== 'number' || !Number.isSafeInteger(reserved) || reserved < 0) {
      throw new MemoryStoreError(`the seq ledger ${path} does not hold a seq ({"reserved": <n>}); write one at least as high as the highest seq this node ever used, or the node may hand out a seq twice`)
    }
    return new SeqLedger(path, reserved)
  }

  /** Every seq up to this one may have been handed out. */
  get reserved (): number {
    return this.mark
  }

  /** Makes sure seqs up to `last` are reserved on disk before they are used. */
  async reserve (last: number): Promise<void> {
    if (last <= this.mark) return
    await this.write(last + SEQ_BLOCK)
  }

  /** On a clean stop: the mark comes down to the highest seq used, so no seq is skipped. */
  async settle (used: number): Promise<void> {
    if (used === this.mark) return
    await this.write(used)
  }

  private async write (mark: number): Promise<void> {
    try {
      await ensurePrivateDir(dirname(this.path))
      await writePrivateFile(this.path, `${JSON.stringify({ reserved: mark })}\n`)
      const dir = await open(dirname(this.path), 'r')
      try {
        await dir.sync()
      } finally {
        await dir.close()
      }
    } catch (err) {
      throw new MemoryStoreError(`cannot write the seq ledger ${this.path}: ${(err as Error).message}`)
    }
    this.mark = mark
  }
}
