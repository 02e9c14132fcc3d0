import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { MemoryInputError } from '../../src/memory/errors.js'
import { makeRecord, verifyRecord } from '../../src/memory/record.js'
import { Keyring } from '../../src/communities/keyring.js'
import type { CommunitySealer } from '../../src/communities/access.js'
import { decodeWire, toWire } from '../../src/memory/replication/codec.js'
import { allFinite, float32OfBytes, isSignedVector, signedVectorOf, signVector, vectorBytes, vectorDigest, vectorOfBytes } from '../../src/memory/replication/vector.js'

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

describe('the vector a record\'s signature names, on the wire', () => {
  const vector = [0.5, -0.25, 1, 0]
  const ring = new Keyring(new Uint8Array(32).fill(9), new Map([[1, new Uint8Array(32).fill(4)]]))
  const sealer: CommunitySealer = {
    name: 'private',
    wireName: 'c-private',
    seal: (aad, plaintext) => ring.seal(`private|${aad}`, plaintext),
    open: (aad, epoch, bytes) => ring.open(`private|${aad}`, epoch, bytes)
  }

  it('comes back as it was sent, in the clear and sealed, and the record still verifies with it (and not without it)', async () => {
    const key = await generateKeyPair('Ed25519')
    const carried = { embedder: EMBEDDER.name, dimension: EMBEDDER.dimension, bytes: vectorBytes(vector), signature: new Uint8Array(0) }
    for (const [community, s] of [['devsupport', undefined], ['private', sealer]] as const) {
      const record = await makeRecord({ text: 'raise ef for recall', id: `r-${community}` }, community, 3, key, { signedVector: signedVectorOf(EMBEDDER, vector) })
      const wire = toWire(record, s, carried)
      if (s != null) expect(wire.signedVector).toBeUndefined()
      const decoded = decodeWire(wire, s)
      expect(decoded.record.signedVector?.embedder).toBe(EMBEDDER.name)
      expect(Buffer.from(decoded.record.signedVector?.digest ?? []).equals(Buffer.from(vectorDigest(vectorBytes(vector))))).toBe(true)
      expect(isSignedVector(decoded.record.signedVector ?? { embedder: '', dimension: 0, digest: new Uint8Array(0) }, decoded.vector ?? carried)).toBe(true)
      expect(await verifyRecord(decoded.record)).toBe(true)
      const { signedVector: _dropped, ...without } = decoded.record
      expect(await verifyRecord(without)).toBe(false)
    }
  })

  it('is refused as bad input on a tombstone, with a digest that is not 32 bytes, or with no embedder name', async () => {
    const key = await generateKeyPair('Ed25519')
    const record = await makeRecord({ text: 'a note', id: 'r2' }, 'devsupport', 1, key, { signedVector: signedVectorOf(EMBEDDER, vector) })
    const wire = toWire(record)
    const cases = [
      { ...wire, deleted: true, text: '', metadata: '{}' },
      { ...wire, signedVector: { embedder: EMBEDDER.name, dimension: 4, digest: new Uint8Array(31) } },
      { ...wire, signedVector: { embedder: '', dimension: 4, digest: new Uint8Array(32) } }
    ]
    for (const bad of cases) expect(() => decodeWire(bad)).toThrow(MemoryInputError)
    // a vector beside it that is not the named one is not taken for it
    expect(isSignedVector(record.signedVector ?? { embedder: '', dimension: 0, digest: new Uint8Array(0) }, { embedder: EMBEDDER.name, dimension: 4, bytes: vectorBytes([0.5, -0.25, 1, 0.001]) })).toBe(false)
  })
})
