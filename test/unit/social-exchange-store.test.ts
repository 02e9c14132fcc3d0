import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkExchangeFile, ExchangeStore } from '../../src/mods/social/exchange-store.js'
import { event, peerIds } from '../helpers/social-events.js'
import { tempDir } from '../helpers/tmp.js'

describe('the social mod\'s exchange store', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let a: string
  let b: string
  beforeAll(async () => {
    dir = await tempDir()
    const [p, q] = await peerIds(2)
    a = `a@${p ?? ''}`
    b = `b@${q ?? ''}`
  })
  afterAll(async () => { await dir.cleanup() })

  it('keeps direct exchanges only, once each, and the newest past its bound', async () => {
    const path = join(dir.path, 'social.db')
    const store = ExchangeStore.open(path, { maxPerCommunity: 3, pruneEvery: 2 })
    const requests = Array.from({ length: 6 }, (_, i) => event({ type: 'direct.request.send', source: a, target: b, payload: { secret: i }, timestamp: 1000 + i }))
    expect(store.add(requests[0]!)).toBe(true)
    expect(store.add(requests[0]!)).toBe(false)
    expect(store.add(event({ type: 'channel.message.post', channel: 'general', source: a, payload: { text: 'x', mentions: [] } }))).toBe(false)
    for (const r of requests.slice(1)) store.add(r)
    store.add(event({ type: 'direct.response.send', community: 'other', source: b, target: a, payload: {}, timestamp: 999 }))
    const kept = store.list('devsupport')
    expect(kept.map(e => e.timestamp)).toEqual([1003, 1004, 1005])
    // the payload is not kept
    expect(kept.every(e => e.payload === null && e.source === a && e.target === b)).toBe(true)
    expect(store.list('other')).toHaveLength(1)
    store.close()
    expect(await checkExchangeFile(path)).toEqual({ present: true, exchanges: 4, problems: [] })
    expect(await checkExchangeFile(join(dir.path, 'none.db'))).toEqual({ present: false, exchanges: 0, problems: [] })
  })
})
