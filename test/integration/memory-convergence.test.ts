import { OPEN_ACCESS } from '../../src/communities/access.js'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/config/schema.js'
import { MemoryInputError } from '../../src/memory/errors.js'
import { Memory } from '../../src/memory/service.js'
import { tempDir } from '../helpers/tmp.js'
import type { Channels } from '../../src/channels/channels.js'
import type { Replica as MemoryReplica } from '../../src/memory/replication/replica.js'
import type { StoredRecord } from '../../src/memory/types.js'
import type { PrivateKey } from '@libp2p/interface'

const C = 'devsupport'
const IDS = ['a', 'b', 'c']

/** The one part of the channel service memory uses here: which communities the node joined. */
const channels = { communities: () => [C], addEventListener: () => {}, removeEventListener: () => {} } as unknown as Channels

/** One replica: the real memory service on the real embedded store, in its own data dir. */
class Replica {
  memory!: Memory
  readonly origin: string
  constructor (readonly dataDir: string, readonly key: PrivateKey) {
    this.origin = peerIdFromPrivateKey(key).toString()
  }

  async start (): Promise<void> {
    this.memory = new Memory({ peerId: peerIdFromPrivateKey(this.key), privateKey: this.key, logger: defaultLogger(), channels, communities: OPEN_ACCESS }, {
      dataDir: this.dataDir,
      communities: [C],
      settings: { ...DEFAULTS.memory, writeWindowMs: 1 },
      llm: DEFAULTS.llm
    })
    await this.memory.start()
  }

  async restart (): Promise<void> {
    await this.memory.stop()
    await this.start()
  }

  /** Every record `from` holds that this replica's version vector lacks, as the sync protocol sends them. */
  async syncFrom (from: Replica): Promise<void> {
    const have = new Map((await this.replica.versionOf(C)).entries().map(e => [e.origin, e.seq]))
    for (const origin of Object.keys((await from.replica.versionOf(C)).summary())) {
      const records = await from.replica.recordsAfter(C, origin, have.get(origin) ?? 0, 100_000)
      if (records.length > 0) await this.replica.ingest(C, await this.replica.verify(C, records))
    }
  }

  /** The replica of the running memory service (seqs, version vectors, remote records). */
  get replica (): MemoryReplica {
    const replica = this.memory.replica
    if (replica == null) throw new Error('memory is not running')
    return replica
  }

  /** Live records as (origin, id, text), sorted. */
  async live (): Promise<string[]> {
    const page = await this.memory.page(C, undefined, 1000)
    return page.map(r => `${r.origin.slice(-6)}/${r.id}=${r.text}`).sort()
  }
}

type Op =
  | { op: 'write', at: number, id: number, text: number }
  | { op: 'delete', at: number, id: number }
  | { op: 'restart', at: number }
  | { op: 'sync', at: number, from: number }
  | { op: 'replay', at: number, pick: number }

const op = (replicas: number): fc.Arbitrary<Op> => fc.oneof(
  fc.record({ op: fc.constant('write' as const), at: fc.nat(replicas - 1), id: fc.nat(IDS.length - 1), text: fc.nat(99) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(replicas - 1), id: fc.nat(IDS.length - 1) }),
  fc.record({ op: fc.constant('restart' as const), at: fc.nat(replicas - 1) }),
  fc.record({ op: fc.constant('sync' as const), at: fc.nat(replicas - 1), from: fc.nat(replicas - 1) }),
  fc.record({ op: fc.constant('replay' as const), at: fc.nat(replicas - 1), pick: fc.nat(1000) })
)

describe('memory replicas under writes, updates, deletes and restarts', () => {
  it('converge to the same records, the last version each origin wrote, and no deleted record comes back', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: 3 }).chain(n => fc.tuple(fc.constant(n), fc.array(op(n), { minLength: 5, maxLength: 25 }))), async ([n, ops]) => {
      const dir = await tempDir('oa-conv-')
      const replicas: Replica[] = []
      try {
        for (let i = 0; i < n; i++) replicas.push(new Replica(join(dir.path, `r${i}`), await generateKeyPair('Ed25519')))
        for (const r of replicas) await r.start()
        // what each origin last did to each of its ids: the text written, or deleted
        const model = new Map<string, string | null>()
        // every version ever written, for replays of old ones
        const history: StoredRecord[] = []
        for (const o of ops) {
          const r = replicas[o.at]!
          switch (o.op) {
            case 'write': {
              const text = `note ${o.text}`
              const { records: [stored], rejected } = await r.memory.rememberMany(C, [{ id: IDS[o.id], text }])
              if (stored == null) {
                // refused only where this replica holds another node's live record with that id, and it never had its own
                expect(rejected[0]?.code).toBe('not_owner')
                expect((await r.memory.get(C, [IDS[o.id]!])).some(h => h.origin !== r.origin)).toBe(true)
                expect(model.has(`${r.origin.slice(-6)}/${IDS[o.id]}`)).toBe(false)
                break
              }
              expect(stored.text).toBe(text)
              history.push(stored)
              model.set(`${r.origin.slice(-6)}/${IDS[o.id]}`, text)
              break
            }
            case 'delete': {
              const key = `${r.origin.slice(-6)}/${IDS[o.id]}`
              if (model.get(key) == null) {
                await expect(r.memory.delete(C, IDS[o.id]!)).rejects.toThrow(MemoryInputError)
                break
              }
              history.push(await r.memory.delete(C, IDS[o.id]!))
              model.set(key, null)
              break
            }
            case 'restart': await r.restart(); break
            case 'sync': if (o.from !== o.at) await r.syncFrom(replicas[o.from]!); break
            case 'replay': {
              const old = history[o.pick % Math.max(1, history.length)]
              if (old != null) await r.replica.ingest(C, await r.replica.verify(C, [old]))
              break
            }
          }
        }
        // anti-entropy until quiet: every pair, twice
        for (let round = 0; round < 2; round++) for (const a of replicas) for (const b of replicas) if (a !== b) await a.syncFrom(b)
        const expected = [...model.entries()].filter(([, text]) => text != null).map(([key, text]) => `${key}=${text ?? ''}`).sort()
        for (const r of replicas) {
          expect(await r.live()).toEqual(expected)
          const status = await r.memory.replicaStatus(C)
          for (const origin of Object.keys(status)) expect(status[origin]?.lag).toBe(0)
        }
      } finally {
        for (const r of replicas) await r.memory.stop().catch(() => {})
        await dir.cleanup()
      }
    }), { numRuns: 40, interruptAfterTimeLimit: 90_000 })
  }, 150_000)
})
