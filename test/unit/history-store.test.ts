import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { HistoryStore, HistoryStoreError } from '../../src/channels/history-store.js'
import { createEnvelope } from '../../src/events/envelope.js'
import { tempDir } from '../helpers/tmp.js'
import type { Envelope } from '../../src/wire/generated/event.js'

const key = await generateKeyPair('Ed25519')
const DAY = 86_400_000

async function message (channel: string, timestamp: number, id?: string): Promise<Envelope> {
  return createEnvelope({ type: 'channel.message.post', community: 'c', channel, agent: 'a', payload: { text: 't' }, timestamp, id }, key)
}

describe('HistoryStore', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })
  const open = (maxPerChannel = 100, maxAgeMs = 30 * DAY): HistoryStore => HistoryStore.open({ path: join(dir.path, 'channels.db'), maxPerChannel, maxAgeMs })

  it('stores each id once and lists the latest messages in (timestamp, id) order', async () => {
    const store = open()
    const now = Date.now()
    const b = await message('general', now, '01B')
    const a = await message('general', now, '01A')
    const older = await message('general', now - 1000)
    expect(store.add(b)).toBe(true)
    expect(store.add(a)).toBe(true)
    expect(store.add(older)).toBe(true)
    expect(store.add(a)).toBe(false)
    expect(store.list('c', 'general', { limit: 10 }).map(m => m.id)).toEqual([older.id, '01A', '01B'])
    expect(store.list('c', 'general', { limit: 2 }).map(m => m.id)).toEqual(['01A', '01B'])
    expect(store.list('c', 'general', { limit: 10, before: now }).map(m => m.id)).toEqual([older.id])
    expect(store.list('c', 'other', { limit: 10 })).toEqual([])
    store.close()
  })

  it('keeps what it stored across a reopen', async () => {
    const first = open()
    const m = await message('general', Date.now())
    first.add(m)
    first.close()
    const again = open()
    expect(again.get(m.id)).toEqual(m)
    again.close()
  })

  it('applies retention by count per channel and by age', async () => {
    const store = open(3, DAY)
    const now = Date.now()
    for (let i = 0; i < 5; i++) store.add(await message('general', now - 5000 + i * 1000))
    store.add(await message('random', now))
    expect(store.add(await message('general', now - 2 * DAY))).toBe(false)
    store.prune(now)
    expect(store.list('c', 'general', { limit: 100 })).toHaveLength(3)
    expect(store.counts('c')).toEqual({ general: 3, random: 1 })
    expect(store.prune(now + 2 * DAY)).toBe(4)
    store.close()
  })

  it('keeps the posts this node wrote in write order, with reader positions that survive a reopen', async () => {
    const store = open()
    const now = Date.now()
    // write order, not timestamp order: a clock that went back does not reorder the log
    const first = await message('general', now, '01Z')
    const second = await message('other', now - 5000, '01A')
    const received = await message('general', now)
    expect(store.addLocal(first)).toBe(true)
    expect(store.add(received)).toBe(true)
    expect(store.addLocal(second)).toBe(true)
    expect(store.addLocal(first)).toBe(false)
    const log = store.after(0, 10)
    expect(log.map(e => e.envelope.id)).toEqual(['01Z', '01A'])
    expect(log[1]?.position).toBeGreaterThan(log[0]?.position ?? Infinity)
    expect(store.after(log[0]?.position ?? 0, 10).map(e => e.envelope.id)).toEqual(['01A'])
    expect(store.after(0, 1).map(e => e.envelope.id)).toEqual(['01Z'])
    expect(store.position('reader')).toBe(0)
    store.savePosition('reader', log[0]?.position ?? 0)
    store.close()

    const again = open()
    expect(again.position('reader')).toBe(log[0]?.position)
    expect(again.after(again.position('reader'), 10).map(e => e.envelope.id)).toEqual(['01A'])
    // positions are never reused
    const third = await message('general', now + 1, '01C')
    again.addLocal(third)
    expect(again.after(log[1]?.position ?? 0, 10).map(e => e.envelope.id)).toEqual(['01C'])
    again.close()
  })

  it('drops post log entries whose messages retention removed', async () => {
    const store = open(2)
    const now = Date.now()
    for (let i = 0; i < 4; i++) store.addLocal(await message('general', now + i, `01${i}`))
    store.prune()
    expect(store.after(0, 10).map(e => e.envelope.id)).toEqual(['012', '013'])
    store.close()
  })

  it('spares own posts a following reader has not read, up to twice the count, and only while it follows', async () => {
    const store = open(2)
    const now = Date.now()
    for (let i = 0; i < 6; i++) store.addLocal(await message('general', now + i, `01${i}`))
    store.add(await message('general', now - 10, 'peer-1'))
    store.follow('memory-capture')
    store.savePosition('memory-capture', 1)
    store.prune()
    // 011..015 are unread: they stay, within twice the count (4); the peer's and the read one go first
    expect(store.list('c', 'general', { limit: 10 }).map(m => m.id)).toEqual(['012', '013', '014', '015'])
    store.savePosition('memory-capture', 6)
    store.prune()
    expect(store.list('c', 'general', { limit: 10 }).map(m => m.id)).toEqual(['014', '015'])
    store.close()
    // a store nobody follows prunes by count alone
    const again = open(1)
    again.prune()
    expect(again.list('c', 'general', { limit: 10 }).map(m => m.id)).toEqual(['015'])
    again.close()
  })

  it('names a damaged history file instead of replacing it', async () => {
    const path = join(dir.path, 'channels.db')
    await writeFile(path, 'this is not a database, but it is long enough to look like a header. '.repeat(20))
    expect(() => HistoryStore.open({ path, maxPerChannel: 10, maxAgeMs: DAY })).toThrow(HistoryStoreError)
    expect(() => HistoryStore.open({ path, maxPerChannel: 10, maxAgeMs: DAY })).toThrow(path)
  })
})
