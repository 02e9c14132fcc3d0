import { describe, expect, it } from 'vitest'
import { ProviderRecordLimits } from '../../src/limits/provider-records.js'
import type { LimitReason } from '../../src/limits/refusals.js'
import type { KadDHTComponents } from '@libp2p/kad-dht'

type Datastore = KadDHTComponents['datastore']
type Key = Parameters<Datastore['put']>[0]

/** The part of a datastore kad-dht's provider records use, over a Map (the node's own is libp2p's in-memory one). */
class MemoryDatastore {
  readonly data = new Map<string, Uint8Array>()
  put (k: Key, v: Uint8Array): Key { this.data.set(k.toString(), v); return k }
  get (k: Key): Uint8Array | undefined { return this.data.get(k.toString()) }
  has (k: Key): boolean { return this.data.has(k.toString()) }
  delete (k: Key): void { this.data.delete(k.toString()) }
}

const Key = class { constructor (private readonly text: string) {} toString (): string { return this.text } } as unknown as new (text: string) => Key

const PREFIX = '/oa/dht'
const SELF = '12D3KooWSelf'
const key = (cid: string, peer: string): Key => new Key(`${PREFIX}/provider/${cid}/${peer}`)
const value = Uint8Array.from([1])

function setup (settings = { perPeer: 2, perKey: 2, total: 3 }) {
  const refused: Array<[LimitReason, string]> = []
  const inner = new MemoryDatastore()
  const limits = new ProviderRecordLimits(settings, PREFIX, (reason, peer) => { refused.push([reason, peer]) })
  return { inner, store: limits.wrap(inner as unknown as Datastore, SELF), limits, refused }
}

describe('provider records kad-dht stores for other peers', () => {
  it('drops a record past the per-peer, per-key and total bounds, and names the bound', async () => {
    const { inner, store, refused } = setup()
    await store.put(key('a', 'p1'), value)
    await store.put(key('b', 'p1'), value)
    await store.put(key('c', 'p1'), value)
    await store.put(key('a', 'p2'), value)
    await store.put(key('a', 'p3'), value)
    await store.put(key('d', 'p4'), value)
    expect(refused).toEqual([['provider_peer', 'p1'], ['provider_key', 'p3'], ['provider_total', 'p4']])
    expect(inner.has(key('c', 'p1'))).toBe(false)
    expect(inner.has(key('a', 'p3'))).toBe(false)
    expect(inner.has(key('b', 'p1'))).toBe(true)
  })

  it('always takes a refresh of a record it holds, and the node\'s own records', async () => {
    const { inner, store, refused, limits } = setup({ perPeer: 1, perKey: 1, total: 1 })
    await store.put(key('a', 'p1'), value)
    await store.put(key('a', 'p1'), Uint8Array.from([2]))
    for (const cid of ['x', 'y', 'z']) await store.put(key(cid, SELF), value)
    expect(refused).toEqual([])
    expect(inner.get(key('a', 'p1'))).toEqual(Uint8Array.from([2]))
    expect(limits.counts()).toEqual({ stored: 1, peers: 1, mostByOnePeer: 1 })
  })

  it('frees a slot when kad-dht deletes an expired record, and passes other keys through', async () => {
    const { inner, store, refused } = setup({ perPeer: 1, perKey: 5, total: 5 })
    await store.put(key('a', 'p1'), value)
    await store.delete(key('a', 'p1'))
    await store.put(key('b', 'p1'), value)
    await store.put(new Key('/peers/p1'), value)
    expect(refused).toEqual([])
    expect(inner.has(key('b', 'p1'))).toBe(true)
    expect(await store.has(new Key('/peers/p1'))).toBe(true)
  })
})
