import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { MemoryInputError } from '../../src/memory/errors.js'
import { makeRecord } from '../../src/memory/record.js'
import { decodeWire, toWire } from '../../src/memory/replication/codec.js'
import { allFinite, float32OfBytes, signVector, vectorBytes, vectorOfBytes } from '../../src/memory/replication/vector.js'

const EMBEDDER = { name: 'local-hash-v2', dimension: 4 }

describe('a vector on the wire', () => {
  it('comes back as it was sent, and one holding a value that is not finite is refused as bad input', async () => {
    const key = await generateKeyPair('Ed25519')
    const record = await makeRecord({ text: 'raise ef for recall', id: 'r1' }, 'devsupport', 1, key)
    const sent = await signVector(key, record, EMBEDDER, [0.5, -0.25, 1, 0])
    const { vector } = decodeWire(toWire(record, undefined, sent))
    expect(vectorOfBytes(vector?.bytes ?? new Uint8Array(0))).toEqual([0.5, -0.25, 1, 0])
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const poisoned = await signVector(key, record, EMBEDDER, [0.5, bad, 1, 0])
      expect(() => decodeWire(toWire(record, undefined, poisoned))).toThrow(MemoryInputError)
      expect(() => decodeWire(toWire(record, undefined, poisoned))).toThrow(/not a finite number/)
    }
  })

  it('is read from bytes that are a view at any offset of a larger buffer, as a decoder hands them out', () => {
    const values = [0.5, -0.25, 1, 3.75]
    const bytes = vectorBytes(values)
    for (const offset of [1, 2, 3, 5]) {
      const pool = Buffer.alloc(offset + bytes.byteLength + 7, 0xff)
      pool.set(bytes, offset)
      expect(vectorOfBytes(pool.subarray(offset, offset + bytes.byteLength))).toEqual(values)
    }
    expect(() => vectorOfBytes(new Uint8Array(6))).toThrow(/not float32 values/)
  })
})

describe('allFinite and float32OfBytes', () => {
  it('refuse NaN and both infinities, anywhere in the vector, and keep every finite float32 (the largest, the smallest subnormal, -0)', () => {
    const finite = [0, -0, 1, -1, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1e-30]
    expect(allFinite(vectorBytes(finite))).toBe(true)
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const at of [0, 3, finite.length - 1]) {
        const values = [...finite]
        values[at] = bad
        expect(allFinite(vectorBytes(values))).toBe(false)
      }
    }
  })

  it('float32OfBytes copies the values out of a view at any offset, so the view\'s buffer may be reused', () => {
    const values = [0.5, -0.25, 1, 3.75]
    const bytes = vectorBytes(values)
    const pool = Buffer.alloc(3 + bytes.byteLength, 0xff)
    pool.set(bytes, 3)
    const got = float32OfBytes(pool.subarray(3))
    pool.fill(0)
    expect(Array.from(got)).toEqual(values)
    expect(() => float32OfBytes(new Uint8Array(6))).toThrow(RangeError)
  })
})
