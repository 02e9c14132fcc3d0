import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/client.js'
import { AGENTS_PROTOCOL } from '../../src/discovery/cards-protocol.js'
import { MEMSYNC_PROTOCOL } from '../../src/memory/replication/index.js'
import { DIRECT_PROTOCOL, HISTORY_PROTOCOL } from '../../src/wire/topics.js'
import { startNodeProcess } from '../helpers/cli.js'
import { createRawPeer } from '../helpers/raw-peer.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeStatus, PeerInfoView } from '../../src/node/oa-node.js'
import type { NodeProcess } from '../helpers/cli.js'
import type { RawPeer } from '../helpers/raw-peer.js'

const C = 'devsupport'
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 5)

describe('a hostile raw peer against a node process', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: NodeProcess | undefined
  let raw: RawPeer | undefined

  afterAll(async () => {
    await raw?.stop()
    await node?.stop()
    await dir.cleanup()
  })

  it(`garbage on every topic and protocol for ${SECONDS}s at a bounded rate: the node stays up, counts every kind, and graylists the peer`, async () => {
    dir = await tempDir('oa-hostile-')
    const proc = await startNodeProcess(['--community', C, '--data-dir', `${dir.path}/n1`, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
    node = proc
    const api = await ApiClient.fromDataDir(`${dir.path}/n1`)
    const peer = await createRawPeer()
    raw = peer
    await peer.libp2p.dial(multiaddr(proc.started.multiaddrs[0] ?? ''))
    const topics = [`oa/1/${C}/ch/general`, `oa/1/${C}/mem`]
    for (const t of topics) peer.libp2p.services.pubsub.subscribe(t)
    await waitFor('the node is subscribed to both topics', () => topics.every(t => peer.libp2p.services.pubsub.getSubscribers(t).length === 1))

    const garbage = (n: number): Uint8Array => Uint8Array.from({ length: 32 + (n % 64) }, (_, i) => (n * 31 + i * 7) % 256)
    const streamGarbage = async (protocol: string, n: number): Promise<void> => {
      try {
        const stream = await peer.libp2p.dialProtocol(multiaddr(proc.started.multiaddrs[0] ?? ''), protocol, { signal: AbortSignal.timeout(2000) })
        const lp = lpStream(stream)
        await lp.write(garbage(n))
        await lp.read({ signal: AbortSignal.timeout(2000) }).catch(() => undefined)
        await stream.close().catch(() => {})
      } catch {
        // the node may refuse or reset: that is the point
      }
    }
    const deadline = Date.now() + SECONDS * 1000
    // bounded: one round of every attack every 50 ms, at most 20 rounds a second of the run
    for (let n = 0; Date.now() < deadline && n < SECONDS * 20; n++) {
      for (const t of topics) await peer.publish(t, garbage(n)).catch(() => {})
      await Promise.all([DIRECT_PROTOCOL, HISTORY_PROTOCOL, MEMSYNC_PROTOCOL, AGENTS_PROTOCOL].map(async p => streamGarbage(p, n)))
      await new Promise(resolve => setTimeout(resolve, 50))
    }

    expect(proc.proc.exitCode).toBeNull()
    const status = await api.get<NodeStatus>('/v1/status')
    expect(status.rejected.byPath.gossip).toBeGreaterThan(0)
    expect(status.rejected.byPath.direct).toBeGreaterThan(0)
    expect(status.rejected.byPath.history).toBeGreaterThan(0)
    const memory = await api.get<{ replication: { rejected: { byPath: { gossip: number, sync: number } } } }>('/v1/memory')
    expect(memory.replication.rejected.byPath.gossip).toBeGreaterThan(0)
    expect(memory.replication.rejected.byPath.sync).toBeGreaterThan(0)
    const { peers } = await api.get<{ peers: PeerInfoView[] }>('/v1/peers')
    const me = peers.find(p => p.peerId === peer.peerId.toString())
    expect(me).toBeDefined()
    expect(me?.score ?? 0).toBeLessThan(-80)
    // and it still serves: a post goes through
    const posted = await api.post<{ message: { id: string } }>(`/v1/communities/${C}/channels/general/messages`, { text: 'still serving' })
    expect(posted.message.id).toMatch(/^[0-9A-Z]{26}$/)
    expect((await api.get<{ messages: unknown[] }>(`/v1/communities/${C}/channels/general/messages`)).messages).toHaveLength(1)
  }, 300_000)
})
