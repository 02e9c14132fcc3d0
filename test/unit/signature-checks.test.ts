import { generateKeyPairSync, sign } from 'node:crypto'
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { signWith, verifyByOrigin } from '../../src/signatures/ed25519.js'
import { sodiumCheck } from '../../src/signatures/sodium.js'
import { MIN_THREAD_BATCH, VerifyPool } from '../../src/signatures/verify-pool.js'
import { waitFor } from '../helpers/wait.js'

const key = await generateKeyPair('Ed25519')
const origin = peerIdFromPrivateKey(key).toString()
const raw = key.publicKey.raw

/** `n` messages, each signed by the key, every third one tampered with after signing. */
async function batch (n: number): Promise<Array<{ data: Uint8Array, signature: Uint8Array, valid: boolean }>> {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const data = new TextEncoder().encode(`record ${i} ${'x'.repeat(i % 300)}`)
    const signature = await signWith(key, data)
    if (i % 3 !== 0) return { data, signature, valid: true }
    const tampered = Uint8Array.from(data)
    tampered[0] = (tampered[0] ?? 0) ^ 1
    return { data: tampered, signature, valid: false }
  }))
}

describe('Ed25519 signature checks', () => {
  it('load libsodium on this platform', () => {
    expect(sodiumCheck()).toBeTypeOf('function')
  })

  it('agree with node:crypto on valid, tampered and malformed signatures, on the calling thread and off it', async () => {
    const items = await batch(30)
    for (const pool of [false, true]) {
      const got = await Promise.all(items.map(async it => verifyByOrigin(origin, it.data, it.signature, { pool })))
      expect(got).toEqual(items.map(it => it.valid))
    }
    const data = new TextEncoder().encode('hello')
    const good = await signWith(key, data)
    for (const pool of [false, true]) {
      expect(await verifyByOrigin(origin, data, good.subarray(0, 63), { pool })).toBe(false)
      expect(await verifyByOrigin(origin, data, new Uint8Array(0), { pool })).toBe(false)
      expect(await verifyByOrigin('not-a-peer-id', data, good, { pool })).toBe(false)
    }
    // another key's signature over the same bytes
    const other = generateKeyPairSync('ed25519')
    expect(await verifyByOrigin(origin, data, sign(null, data, other.privateKey), { pool: true })).toBe(false)
  })

  it('answer each check of a large batch spread over several threads in its own place', async () => {
    const pool = new VerifyPool({ lanes: 3 })
    const items = await batch(1_000)
    const got = await Promise.all(items.map(async it => pool.verify(raw, it.data, it.signature)))
    expect(pool.threads).toBe(3)
    expect(got).toEqual(items.map(it => it.valid))
    expect(got.filter(ok => !ok).length).toBe(334)
  })

  it('start no thread for a few checks, and stop the threads once they are idle', async () => {
    const pool = new VerifyPool({ lanes: 2, idleMs: 50 })
    const few = await batch(MIN_THREAD_BATCH - 1)
    expect(await Promise.all(few.map(async it => pool.verify(raw, it.data, it.signature)))).toEqual(few.map(it => it.valid))
    expect(pool.threads).toBe(0)
    const many = await batch(MIN_THREAD_BATCH * 4)
    expect(await Promise.all(many.map(async it => pool.verify(raw, it.data, it.signature)))).toEqual(many.map(it => it.valid))
    expect(pool.threads).toBe(2)
    await waitFor('the idle threads stopped', () => pool.threads === 0 ? true : undefined, 10_000, 20)
    // and started again for the next large batch
    expect(await Promise.all(many.map(async it => pool.verify(raw, it.data, it.signature)))).toEqual(many.map(it => it.valid))
    expect(pool.threads).toBe(2)
  })

  it('check on the calling thread when the threads cannot run, with the same answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oa-verify-'))
    try {
      const broken = join(dir, 'broken-worker.mjs')
      await writeFile(broken, 'throw new Error("this thread does not start")\n')
      const pool = new VerifyPool({ workerFile: broken, lanes: 2 })
      const items = await batch(60)
      const got = await Promise.all(items.map(async it => pool.verify(raw, it.data, it.signature)))
      expect(got).toEqual(items.map(it => it.valid))
      expect(pool.threads).toBe(0)
      // and later checks too, with no thread left
      const again = await Promise.all(items.map(async it => pool.verify(raw, it.data, it.signature)))
      expect(again).toEqual(items.map(it => it.valid))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
