import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryStoreError } from '../../src/memory/errors.js'
import { SEQ_BLOCK, SeqLedger } from '../../src/memory/replication/seq-ledger.js'
import { tempDir } from '../helpers/tmp.js'

describe('the seq ledger', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeAll(async () => { dir = await tempDir('oa-ledger-') })
  afterAll(async () => { await dir.cleanup() })

  it('reserves a block on disk before a seq above the mark is used, and lowers the mark to the seqs used on a clean stop', async () => {
    const path = join(dir.path, 'memory', 'seq.json')
    const ledger = await SeqLedger.open(path)
    expect(ledger.reserved).toBe(0)
    await ledger.reserve(1)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ reserved: 1 + SEQ_BLOCK })
    await ledger.reserve(SEQ_BLOCK)
    expect((await SeqLedger.open(path)).reserved).toBe(1 + SEQ_BLOCK)
    await ledger.settle(7)
    expect((await SeqLedger.open(path)).reserved).toBe(7)
  })

  it('refuses a ledger file that holds no seq, naming the file', async () => {
    const path = join(dir.path, 'bad.json')
    for (const text of ['not json', '{"reserved": -1}', '{"reserved": "12"}', '{}']) {
      await writeFile(path, text)
      const err = await SeqLedger.open(path).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(MemoryStoreError)
      expect((err as Error).message).toContain(path)
    }
  })
})
