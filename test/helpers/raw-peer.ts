import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { RPC } from '@libp2p/gossipsub/message'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createEnvelope, signingBytes } from '../../src/events/envelope.js'
import { COMMUNITY_PROTOCOL } from '../../src/communities/control-protocol.js'
import { AGENTS_PROTOCOL } from '../../src/discovery/cards-protocol.js'
import { MEMSYNC_PROTOCOL } from '../../src/memory/replication/replicator.js'
import { AgentCardsRequest, AgentCardsResponse } from '../../src/wire/generated/agents.js'
import { CommunityRequest, CommunityResponse } from '../../src/wire/generated/community.js'
import { DirectResponse, Envelope, HistoryRequest, HistoryResponse } from '../../src/wire/generated/event.js'
import { SyncBatch, SyncRequest } from '../../src/wire/generated/memory.js'
import { DIRECT_PROTOCOL, HISTORY_PROTOCOL } from '../../src/wire/topics.js'
import { waitFor } from './wait.js'
import type { EnvelopeInit } from '../../src/events/envelope.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { Message, SignedMessage } from '@libp2p/gossipsub'
import type { PeerId, Stream } from '@libp2p/interface'

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
  /** Topics each connected peer said it subscribes to, as gossipsub told us. */
  const subscriptions = new Map<string, Set<string>>()
  libp2p.services.pubsub.addEventListener('subscription-change', (evt) => {
    const topics = subscriptions.get(evt.detail.peerId.toString()) ?? new Set<string>()
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      if (subscribe) topics.add(topic)
      else topics.delete(topic)
    }
    subscriptions.set(evt.detail.peerId.toString(), topics)
  })
  /** Every gossip message delivered to this peer. */
  const received: Message[] = []
  libp2p.services.pubsub.addEventListener('message', (evt) => { received.push(evt.detail) })
  return {
    libp2p,
    privateKey,
    peerId: libp2p.peerId,
    received,

    /** Dials `target` and waits until it has told us which topics it subscribes to. */
    async connect (target: OaNode): Promise<void> {
      const addr = target.multiaddrs().find(m => !m.includes('/ws')) ?? ''
      await libp2p.dial(multiaddr(addr))
      await waitFor('the target announced its topics', () => (subscriptions.get(target.peerId.toString())?.size ?? 0) > 0)
    },

    /** The topics `peer` subscribes to, as anyone connected to it learns them. */
    topicsOf (peer: PeerId): string[] {
      return [...(subscriptions.get(peer.toString()) ?? [])].sort()
    },

    subscribe (topic: string): void {
      libp2p.services.pubsub.subscribe(topic)
    },

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

/** Anything that can open a stream to a peer: a raw peer's libp2p or a real node's. */
interface Dialer {
  dialProtocol: (peer: PeerId, protocol: string) => Promise<Stream>
}

async function exchange (dialer: Dialer, target: PeerId, protocol: string, request: Uint8Array): Promise<Uint8Array[]> {
  const stream = await dialer.dialProtocol(target, protocol)
  const lp = lpStream(stream, { maxDataLength: 4 * 1_048_576 })
  const signal = AbortSignal.timeout(10_000)
  await lp.write(request, { signal })
  const frames: Uint8Array[] = []
  try {
    for (;;) frames.push((await lp.read({ signal })).subarray())
  } catch (err) {
    // the answer ends when the target closes its side
    if (frames.length === 0) throw err
  }
  await stream.close().catch(() => {})
  return frames
}

/** Sends raw bytes as one `/oa/direct/1.0.0` request frame and reads the response. */
export async function askDirect (dialer: Dialer, target: PeerId, data: Uint8Array): Promise<DirectResponse> {
  const [frame] = await exchange(dialer, target, DIRECT_PROTOCOL, data)
  return DirectResponse.decode(frame ?? new Uint8Array(0))
}

/** Asks `target` for a channel's history over `/oa/history/1.0.0`, as a peer would; returns every frame. */
export async function askHistory (dialer: Dialer, target: PeerId, community: string, channel: string): Promise<HistoryResponse[]> {
  const frames = await exchange(dialer, target, HISTORY_PROTOCOL, HistoryRequest.encode({ community, channel, limit: 1000, before: 0n }))
  return frames.map(f => HistoryResponse.decode(f))
}

/** Asks `target` for every memory record of a community over `/oa/memsync/1.0.0` (an empty version vector). */
export async function askMemory (dialer: Dialer, target: PeerId, community: string): Promise<SyncBatch[]> {
  const frames = await exchange(dialer, target, MEMSYNC_PROTOCOL, SyncRequest.encode({ community, have: [] }))
  return frames.map(f => SyncBatch.decode(f))
}

/** Asks `target` for its agent cards over `/oa/agents/1.0.0` ('' for every community). */
export async function askCards (dialer: Dialer, target: PeerId, community: string): Promise<AgentCardsResponse> {
  const [frame] = await exchange(dialer, target, AGENTS_PROTOCOL, AgentCardsRequest.encode({ community }))
  return AgentCardsResponse.decode(frame ?? new Uint8Array(0))
}

/** Sends one `/oa/community/1.0.0` request (SYNC, REDEEM) to `target` and reads the answer. */
export async function askCommunity (dialer: Dialer, target: PeerId, request: CommunityRequest): Promise<CommunityResponse> {
  const [frame] = await exchange(dialer, target, COMMUNITY_PROTOCOL, CommunityRequest.encode(request))
  return CommunityResponse.decode(frame ?? new Uint8Array(0))
}

/**
 * A libp2p peer without gossipsub that speaks the gossipsub wire itself: it relays
 * messages exactly as another peer signed them (a replay), which a gossipsub router
 * would never send twice.
 */
export async function createRelayPeer () {
  const libp2p = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  let lp: ReturnType<typeof lpStream> | undefined
  return {
    libp2p,
    peerId: libp2p.peerId,

    /** Sends `message`, signed by its author, to `target` in a gossipsub RPC frame. */
    async relay (target: OaNode, message: SignedMessage): Promise<void> {
      if (lp == null) {
        const addr = target.multiaddrs().find(m => !m.includes('/ws')) ?? ''
        await libp2p.dial(multiaddr(addr))
        lp = lpStream(await libp2p.dialProtocol(target.peerId, '/meshsub/1.1.0'))
      }
      const seqno = new Uint8Array(8)
      new DataView(seqno.buffer).setBigUint64(0, message.sequenceNumber, false)
      const raw: RPC.Message = { from: message.from.toMultihash().bytes, data: message.data, seqno, topic: message.topic, signature: message.signature }
      await lp.write(RPC.encode({ subscriptions: [], messages: [raw] }))
    },

    async stop (): Promise<void> {
      await libp2p.stop()
    }
  }
}

export type RelayPeer = Awaited<ReturnType<typeof createRelayPeer>>

/** An envelope signed by `peer`'s own key (valid unless the test breaks it afterwards). */
export async function signedBy (peer: RawPeer, init: EnvelopeInit): Promise<Envelope> {
  return createEnvelope(init, peer.privateKey)
}

/** Re-signs an envelope after a test changed it, with `peer`'s key. */
export async function resign (peer: RawPeer, envelope: Envelope): Promise<Envelope> {
  return { ...envelope, signature: Uint8Array.from(await peer.privateKey.sign(signingBytes(envelope))) }
}
