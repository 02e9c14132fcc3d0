import { describe, expect, it } from 'vitest'
import { CODE_TTL_MS, SESSION_IDLE_MS, StudioSessions } from '../../src/api/studio/sessions.js'

describe('Studio sessions', () => {
  it('redeems a code once, within its time', () => {
    let now = 1_000
    const sessions = new StudioSessions(() => now)
    const fresh = sessions.issueCode()
    expect(fresh.expiresAt).toBe(1_000 + CODE_TTL_MS)
    const id = sessions.redeemCode(fresh.code)
    expect(id).toBeDefined()
    expect(sessions.valid(id ?? '')).toBe(true)
    expect(sessions.redeemCode(fresh.code)).toBeUndefined()
    const late = sessions.issueCode()
    now += CODE_TTL_MS
    expect(sessions.redeemCode(late.code)).toBeUndefined()
    expect(sessions.redeemCode('made-up')).toBeUndefined()
  })

  it('ends a session left unused for its idle time, and keeps one in use alive', () => {
    let now = 0
    const sessions = new StudioSessions(() => now)
    const used = sessions.open()
    const idle = sessions.open()
    now += SESSION_IDLE_MS - 1
    expect(sessions.valid(used)).toBe(true)
    now += 2
    expect(sessions.valid(idle)).toBe(false)
    expect(sessions.valid(used)).toBe(true)
    expect(sessions.end(used)).toBe(true)
    expect(sessions.valid(used)).toBe(false)
  })

  it('keeps a bounded number of sessions, dropping the oldest', () => {
    const sessions = new StudioSessions(() => 0)
    const first = sessions.open()
    for (let i = 0; i < 1_000; i++) sessions.open()
    expect(sessions.count).toBe(256)
    expect(sessions.valid(first)).toBe(false)
  })
})
