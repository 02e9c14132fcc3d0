import { lpStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMUNITY_PROTOCOL } from '../../src/communities/control-protocol.js'
import { AGENTS_PROTOCOL } from '../../src/discovery/cards-protocol.js'
import { AgentCardsResponse } from '../../src/wire/generated/agents.js'
import { CommunityResponse } from '../../src/wire/generated/community.js'
import { HistoryResponse } from '../../src/wire/generated/event.js'
import { MEMSYNC_PROTOCOL } from '../../src/memory/replication/index.js'
import { SyncBatch } from '../../src/wire/generated/memory.js'
import { HISTORY_PROTOCOL } from '../../src/wire/topics.js'
import { startTestNode } from '../helpers/nodes.js'
import { createRawPeer } from '../helpers/raw-peer.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer } from '../helpers/raw-peer.js'
import type { Stream } from '@libp2p/interface'

const C = 'lobby'

describe('a peer over the stream limits of a protocol is told why in that protocol\'s own error frame', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: OaNode
  let raw: RawPeer
  const held: Stream[] = []

  beforeAll(async () => {
    dir = await tempDir()
    target = await startTestNode(dir.path, 'target', { communities: [C], memory: { capture: { '*': [] } }, limits: { streams: { perProtocol: 8, perPeer: 2 } } })
    raw = await createRawPeer()
    await raw.libp2p.dial(target.libp2p.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    for (const s of held) s.abort(new Error('test over'))
    await raw.stop()
    await target.stop()
    await dir.cleanup()
  })

  const open = (protocol: string): number => target.status().limits.openStreams[protocol] ?? 0

  /** Opens `n` streams of `protocol` that send nothing: the target's handler waits on each. */
  async function hold (protocol: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) held.push(await raw.libp2p.dialProtocol(target.peerId, protocol))
    await waitFor(`${n} ${protocol} streams held on the target`, () => open(protocol) === n)
  }

  /** Opens one more stream of `protocol` and reads the frame the target answers with at once. */
  async function refusalFrame (protocol: string): Promise<Uint8Array> {
    const stream = await raw.libp2p.dialProtocol(target.peerId, protocol)
    const frame = await lpStream(stream).read({ signal: AbortSignal.timeout(10_000) })
    await stream.close().catch(() => {})
    return frame.subarray()
  }

  it('answers a history stream past the peer\'s share with a history error response, and counts it', async () => {
    await hold(HISTORY_PROTOCOL, 2)
    const response = HistoryResponse.decode(await refusalFrame(HISTORY_PROTOCOL))
    expect(response.done).toBe(true)
    expect(response.messages).toEqual([])
    expect(response.error).toMatch(/^busy: this peer has 2 \/oa\/history\/1\.0\.0 streams open on this node/)
    expect(target.status().limits.byReason.streams_peer).toBe(1)
    // the refused stream never reached the handler
    expect(open(HISTORY_PROTOCOL)).toBe(2)
  })

  it('answers a community control stream past the peer\'s share with a community error response, and counts it', async () => {
    const before = target.status().limits.byReason.streams_peer
    await hold(COMMUNITY_PROTOCOL, 2)
    const response = CommunityResponse.decode(await refusalFrame(COMMUNITY_PROTOCOL))
    expect(response.objects).toEqual([])
    expect(response.error).toMatch(/^busy: this peer has 2 \/oa\/community\/1\.0\.0 streams open on this node/)
    expect(target.status().limits.byReason.streams_peer).toBe(before + 1)
  })

  it('answers an agent cards stream past the peer\'s share with a response that holds no cards and says why, and counts it', async () => {
    const before = target.status().limits.byReason.streams_peer
    await hold(AGENTS_PROTOCOL, 2)
    const response = AgentCardsResponse.decode(await refusalFrame(AGENTS_PROTOCOL))
    expect(response.cards).toEqual([])
    expect(response.error).toMatch(/^busy: this peer has 2 \/oa\/agents\/1\.0\.0 streams open on this node/)
    expect(target.status().limits.byReason.streams_peer).toBe(before + 1)
  })

  it('answers a memory sync stream past the peer\'s share with a last sync batch that says why, and counts it', async () => {
    const before = target.status().limits.byReason.streams_peer
    await hold(MEMSYNC_PROTOCOL, 2)
    const batch = SyncBatch.decode(await refusalFrame(MEMSYNC_PROTOCOL))
    expect(batch.done).toBe(true)
    expect(batch.records).toEqual([])
    expect(batch.error).toMatch(/^busy: this peer has 2 \/oa\/memsync\/1\.0\.0 streams open on this node/)
    expect(target.status().limits.byReason.streams_peer).toBe(before + 1)
  })
})
