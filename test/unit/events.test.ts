import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerPenalties } from '../../src/channels/penalties.js'
import { createEnvelope, envelopeToJson, EnvelopeRejectedError, EVENT_TYPE, parseAgentId, parseMentions, ReplayCache, validateEnvelope } from '../../src/events/index.js'
import { CHANNEL_EVENTS } from '../../src/channels/events.js'
import { EventRegistry } from '../../src/events/registry.js'
import { Envelope } from '../../src/wire/generated/event.js'
import { channelTopic, parseChannelTopic } from '../../src/wire/topics.js'
import type { EnvelopeInit, ValidationRules } from '../../src/events/index.js'

const key = await generateKeyPair('Ed25519')
const peer = peerIdFromPrivateKey(key).toString()

const registry = new EventRegistry()
for (const spec of CHANNEL_EVENTS) registry.register(spec, 'channels')

const rules = (overrides: Partial<ValidationRules> = {}): ValidationRules => ({
  events: registry,
  maxBytes: 65_536,
  maxSkewMs: 300_000,
  allowType: t => t.startsWith('channel.'),
  isMember: c => c === 'devsupport',
  community: 'devsupport',
  channel: 'general',
  ...overrides
})

const post = (overrides: Partial<EnvelopeInit> = {}): EnvelopeInit => ({
  type: 'channel.message.post', community: 'devsupport', channel: 'general', agent: 'user', payload: { text: 'hello' }, ...overrides
})

async function reasonOf (bytes: Uint8Array, r: ValidationRules = rules()): Promise<string> {
  try {
    await validateEnvelope(bytes, r)
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeRejectedError)
    return (err as EnvelopeRejectedError).reason
  }
  return 'accepted'
}

describe('envelopes', () => {
  it('are signed by the node key and validate after a round trip', async () => {
    const env = await createEnvelope(post(), key)
    expect(env.source).toBe(`user@${peer}`)
    expect(env.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    const back = await validateEnvelope(Envelope.encode(env), rules())
    expect(back).toEqual(env)
    expect(envelopeToJson(back)).toMatchObject({ id: env.id, type: 'channel.message.post', community: 'devsupport', channel: 'general', source: `user@${peer}`, payload: { text: 'hello' } })
  })

  it('round-trip any text and metadata (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 500 }), fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())), async (text, metadata) => {
      const env = await createEnvelope(post({ payload: { text, metadata } }), key)
      const back = await validateEnvelope(Envelope.encode(env), rules())
      expect(envelopeToJson(back).payload).toEqual({ text, metadata })
    }), { numRuns: 50 })
  })

  it('are rejected when any signed field changes after signing', async () => {
    const env = await createEnvelope(post(), key)
    expect(await reasonOf(Envelope.encode({ ...env, payload: new TextEncoder().encode('{"text":"changed"}') }))).toBe('signature')
    expect(await reasonOf(Envelope.encode({ ...env, timestamp: env.timestamp + 1n }))).toBe('signature')
    expect(await reasonOf(Envelope.encode({ ...env, thread: 'x' }))).toBe('signature')
  })

  it('name the reason of each rejection', async () => {
    const now = Date.now()
    expect(await reasonOf(Uint8Array.from([0xff, 0xff, 0xff]))).toBe('decode')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ payload: { text: 'x'.repeat(70_000) } }), key)))).toBe('size')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ community: 'other' }), key)))).toBe('community')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ channel: 'random' }), key)))).toBe('topic')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ type: 'Channel.Message.Post' }), key)))).toBe('type')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ timestamp: now + 301_000 }), key)))).toBe('clock')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ timestamp: now - 301_000 }), key)))).toBe('clock')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ timestamp: now - 3_600_000 }), key)), rules({ allowPast: true }))).toBe('accepted')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post({ payload: { text: '' } }), key)))).toBe('payload')
    expect(await reasonOf(Envelope.encode(await createEnvelope(post(), key)), rules({ sender: 'someone-else' }))).toBe('source')
  })

  it('are rejected as replays only by a replay cache, after a first acceptance', async () => {
    const replay = new ReplayCache(600_000)
    const bytes = Envelope.encode(await createEnvelope(post(), key))
    expect(await reasonOf(bytes, rules({ replay }))).toBe('accepted')
    expect(await reasonOf(bytes, rules({ replay }))).toBe('replay')
  })
})

describe('names', () => {
  it('accept domain.entity.action types only', () => {
    for (const ok of ['channel.message.post', 'agent.presence.online', 'direct.request.send', 'a1.b_2.c']) expect(EVENT_TYPE.test(ok)).toBe(true)
    for (const bad of ['channel.message', 'Channel.message.post', 'a..b', 'a.b.c.d', '.a.b', 'a.b.c ', '']) expect(EVENT_TYPE.test(bad)).toBe(false)
  })

  it('parse mentions and agent ids', () => {
    expect(parseMentions('@python_expert and @devops-expert, not me@example.com or @@x')).toEqual(['python_expert', 'devops-expert'])
    expect(parseAgentId(`bot@${peer}`).name).toBe('bot')
    expect(() => parseAgentId('bot')).toThrow('is not <name>@<peer id>')
    expect(() => parseAgentId('bot@notapeer')).toThrow('is not a peer id')
  })

  it('map channel topics both ways', () => {
    expect(channelTopic('devsupport', 'general')).toBe('oa/1/devsupport/ch/general')
    expect(parseChannelTopic('oa/1/devsupport/ch/general')).toEqual({ community: 'devsupport', channel: 'general' })
    expect(parseChannelTopic('oa/1/devsupport/mem')).toBeUndefined()
  })
})

describe('ReplayCache', () => {
  it('forgets ids after its window and holds at most maxEntries', () => {
    const cache = new ReplayCache(1000, 3)
    cache.add('a', 0)
    expect(cache.has('a', 999)).toBe(true)
    expect(cache.has('a', 1000)).toBe(false)
    for (const id of ['b', 'c', 'd', 'e']) cache.add(id, 10)
    expect(cache.size).toBe(3)
    expect(cache.has('b', 10)).toBe(false)
    expect(cache.has('e', 10)).toBe(true)
  })
})

describe('PeerPenalties', () => {
  it('lowers the score per invalid message and halves it every half-life', () => {
    const penalties = new PeerPenalties(60_000)
    for (let i = 0; i < 4; i++) penalties.penalize('p', 0)
    expect(penalties.score('p', 0)).toBe(-4)
    expect(penalties.score('p', 60_000)).toBeCloseTo(-2)
    expect(penalties.score('q', 0)).toBe(0)
  })
})

describe('gossip message ids', () => {
  it('are equal for copies of an envelope and different for different garbage', async () => {
    const { gossipMessageId } = await import('../../src/channels/message-id.js')
    const id = (data: Uint8Array): string => Buffer.from(gossipMessageId({ type: 'unsigned', topic: 't', data })).toString('hex')
    const env = Envelope.encode(await createEnvelope(post(), key))
    expect(id(env)).toBe(id(Uint8Array.from(env)))
    // both decode as envelopes with no id and no signature
    expect(id(Uint8Array.from([0x68, 0x00]))).not.toBe(id(Uint8Array.from([0x68, 0x01])))
    const forged = Envelope.decode(Uint8Array.from(env))
    forged.signature[0] = (forged.signature[0] ?? 0) ^ 1
    expect(id(Envelope.encode(forged))).not.toBe(id(env))
  })
})

describe('the event registry the pipeline reads', () => {
  it('checks a registered type\'s payload, and an admin-only type\'s author', async () => {
    const events = new EventRegistry()
    for (const spec of CHANNEL_EVENTS) events.register(spec, 'channels')
    events.register({ type: 'polls.poll.close', payload: z.strictObject({ poll: z.string() }), access: { open: 'write', private: 'admin' } }, 'polls')
    events.register({ type: 'polls.board.pin', access: 'admin' }, 'polls')
    const allowType = (t: string): boolean => events.carries(t, 'channel')
    const close = async (payload: unknown): Promise<Uint8Array> => Envelope.encode(await createEnvelope(post({ type: 'polls.poll.close', payload }), key))
    expect(await reasonOf(await close({ poll: 'p1' }), rules({ events, allowType }))).toBe('accepted')
    expect(await reasonOf(await close({ poll: 1 }), rules({ events, allowType }))).toBe('payload')
    // a node without the mod carries the type nowhere
    expect(await reasonOf(await close({ poll: 'p1' }), rules({ allowType: t => registry.carries(t, 'channel') }))).toBe('type')
    const pin = Envelope.encode(await createEnvelope(post({ type: 'polls.board.pin', payload: {} }), key))
    expect(await reasonOf(pin, rules({ events, allowType }))).toBe('membership')
    expect(await reasonOf(pin, rules({ events, allowType, isAdmin: p => p === peer }))).toBe('accepted')
    expect(() => { events.register({ type: 'polls.board.pin' }, 'other') }).toThrow('event type polls.board.pin is already owned by mod polls')
    expect(() => { events.register({ type: 'Polls.x' }, 'other') }).toThrow('is not domain.entity.action')
  })
})
