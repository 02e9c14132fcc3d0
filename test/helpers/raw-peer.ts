import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createEnvelope, signingBytes } from '../../src/events/envelope.js'
import { DirectResponse, Envelope, HistoryRequest, HistoryResponse } from '../../src/wire/generated/event.js'
import { DIRECT_PROTOCOL, HISTORY_PROTOCOL } from '../../src/wire/topics.js'
import { waitFor } from './wait.js'
import type { EnvelopeInit } from '../../src/events/envelope.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { PeerId } from '@libp2p/interface'

/**
 * A bare libp2p peer with gossipsub and none of oa-node's checks: it publishes and
 * streams whatever bytes a test gives it.
 */
export async function createRawPeer () {
  const privateKey = await generateKeyPair('Ed25519')
  const libp2p = await createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false })
    }
  })
  return {
    libp2p,
    privateKey,
    peerId: libp2p.peerId,

    /** Connects to `target` and waits until both sides see each other on `topic`. */
    async join (target: OaNode, topic: string): Promise<void> {
      const addr = target.multiaddrs().find(m => !m.includes('/ws')) ?? ''
      await libp2p.dial(multiaddr(addr))
      libp2p.services.pubsub.subscribe(topic)
      await waitFor(`raw peer and target subscribed to each other (connections: ${libp2p.getConnections().length})`, () =>
        libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(target.peerId)) &&
        target.libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(libp2p.peerId)))
    },

    async publish (topic: string, data: Uint8Array): Promise<void> {
      await libp2p.services.pubsub.publish(topic, data)
    },

    /** Sends raw bytes as one direct request frame and reads the response frame. */
    async direct (target: PeerId, data: Uint8Array): Promise<DirectResponse> {
      const stream = await libp2p.dialProtocol(target, DIRECT_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: 1_000_000 })
      await lp.write(data)
      const response = DirectResponse.decode(await lp.read())
      await stream.close().catch(() => {})
      return response
    },

    /** Serves `/oa/history/1.0.0` with the given envelopes, whatever is asked. */
    async serveHistory (envelopes: Envelope[]): Promise<void> {
      await libp2p.handle(HISTORY_PROTOCOL, async (stream) => {
        const lp = lpStream(stream)
        HistoryRequest.decode(await lp.read())
        await lp.write(HistoryResponse.encode({ messages: envelopes, done: true, error: '' }))
        await stream.close().catch(() => {})
      })
    },

    async stop (): Promise<void> {
      await libp2p.stop()
    }
  }
}

export type RawPeer = Awaited<ReturnType<typeof createRawPeer>>

/** An envelope signed by `peer`'s own key (valid unless the test breaks it afterwards). */
export async function signedBy (peer: RawPeer, init: EnvelopeInit): Promise<Envelope> {
  return createEnvelope(init, peer.privateKey)
}

/** Re-signs an envelope after a test changed it, with `peer`'s key. */
export async function resign (peer: RawPeer, envelope: Envelope): Promise<Envelope> {
  return { ...envelope, signature: Uint8Array.from(await peer.privateKey.sign(signingBytes(envelope))) }
}
