import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { cardToWire } from '../../src/discovery/cards-protocol.js'
import { AGENTS_PROTOCOL } from '../../src/discovery/index.js'
import { DHT_PROTOCOL } from '../../src/node/constants.js'
import { AgentCardsRequest, AgentCardsResponse } from '../../src/wire/generated/agents.js'
import { DirectResponse } from '../../src/wire/generated/event.js'
import { DIRECT_PROTOCOL } from '../../src/wire/topics.js'
import { tcpAddr } from './nodes.js'
import type { AgentCard } from '../../src/discovery/card.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { CID } from 'multiformats/cid'

/**
 * A bare libp2p peer on oa-node's DHT (`/oa/kad/1.0.0`) with none of oa-node's checks:
 * it provides whatever keys a test names, serves whatever agent cards it is given over
 * `/oa/agents/1.0.0`, and counts the direct requests that reach it.
 */
export async function createDhtPeer () {
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper })
    }
  })
  let cards: AgentCard[] = []
  const directs: Uint8Array[] = []
  await libp2p.handle(AGENTS_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    AgentCardsRequest.decode(await lp.read())
    await lp.write(AgentCardsResponse.encode({ cards: cards.map(cardToWire), error: '' }))
    await stream.close().catch(() => {})
  })
  await libp2p.handle(DIRECT_PROTOCOL, async (stream) => {
    const lp = lpStream(stream, { maxDataLength: 1_000_000 })
    directs.push((await lp.read()).subarray())
    await lp.write(DirectResponse.encode({ status: DirectResponse.Status.ERROR, error: 'the squatter got it' }))
    await stream.close().catch(() => {})
  })
  return {
    libp2p,
    peerId: libp2p.peerId,
    /** Direct request frames that reached this peer. */
    directs,

    /** Connects to an oa-node (its DHT adds this peer once identify has run). */
    async connect (node: OaNode): Promise<void> {
      await libp2p.dial(multiaddr(tcpAddr(node)))
    },

    /** Serves these cards from now on, whatever they claim. */
    serve (next: AgentCard[]): void {
      cards = next
    },

    /** Announces itself as a provider of `key` to the DHT peers it knows. */
    async provide (key: CID): Promise<void> {
      await libp2p.contentRouting.provide(key, { signal: AbortSignal.timeout(10_000) })
    },

    async stop (): Promise<void> {
      await libp2p.stop()
    }
  }
}

export type DhtPeer = Awaited<ReturnType<typeof createDhtPeer>>
