import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { agentRuntime } from '../agents/index.js'
import { channels } from '../channels/index.js'
import { communities } from '../communities/index.js'
import { discovery } from '../discovery/index.js'
import { memory, memoryCapture } from '../memory/index.js'
import { replication } from '../memory/replication/index.js'
import { gossipMessageId } from '../channels/message-id.js'
import { PeerPenalties } from '../channels/penalties.js'
import { bootstrapKeeper } from './bootstrap-keeper/index.js'
import { NodeLimits, withProviderLimits } from '../limits/index.js'
import { DHT_DATASTORE_PREFIX, DHT_PROTOCOL } from './constants.js'
import { ensureDataDir, lockDataDir } from './data-dir.js'
import { loadOrCreateIdentity } from './identity.js'
import { OaNode } from './oa-node.js'
import type { NodeConfig } from '../config/schema.js'
import type { Embedder } from '../memory/embedders/types.js'
import type { MemoryStore } from '../memory/types.js'
import type { StoreAdapter } from '../memory/stores/adapter.js'
import type { ConnectionGater, PrivateKey } from '@libp2p/interface'

export interface CreateNodeOptions {
  /** Use this key instead of `<dataDir>/identity.key` (tests, embedding). */
  privateKey?: PrivateKey
  /** Take the data dir lock (default true). */
  lock?: boolean
  /** Decides which peers may connect (deny-lists; tests partition networks with it). */
  connectionGater?: ConnectionGater
  /**
   * Opens the memory store instead of `memory.store` (a store of your own that implements
   * `MemoryStore`; tests wrap the embedded store to inject faults).
   *
   * @example
   * ```ts
   * const node = await createNode(config, { openMemoryStore: async embedder => MyStore.open(embedder.dimension) })
   * ```
   */
  openMemoryStore?: (embedder: Embedder) => Promise<MemoryStore>
  /**
   * The store adapter to use instead of the one `memory.store` names: how to open the
   * store, and whether the node replicates it.
   *
   * @example
   * ```ts
   * const node = await createNode(config, { memoryStoreAdapter: { name: 'mine', replicated: false, open: async ({ embedder }) => MyStore.open(embedder.dimension) } })
   * ```
   */
  memoryStoreAdapter?: StoreAdapter
}

function buildServices (config: NodeConfig, options: Pick<CreateNodeOptions, 'openMemoryStore' | 'memoryStoreAdapter'>) {
  const { openMemoryStore: openStore, memoryStoreAdapter: storeAdapter } = options
  // invalid messages found by the channels service lower the sender's gossipsub score
  const penalties = new PeerPenalties()
  // what one peer can make this node do; refusals it earns lower its score too
  const limits = new NodeLimits(config.limits, penalties, DHT_DATASTORE_PREFIX)
  return {
    limits: () => limits,
    identify: identify(),
    // tell connected peers when our addresses change
    identifyPush: identifyPush(),
    ping: ping(),
    dht: withProviderLimits(kadDHT({
      protocol: DHT_PROTOCOL,
      clientMode: false,
      // local clusters live on loopback and private addresses: keep them
      peerInfoMapper: passthroughMapper,
      logPrefix: 'oa:kad-dht',
      datastorePrefix: DHT_DATASTORE_PREFIX
    }), limits.providerRecords),
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      globalSignaturePolicy: 'StrictSign',
      msgIdFn: gossipMessageId,
      scoreParams: {
        appSpecificScore: (peer: string) => penalties.score(peer),
        // every node of a local cluster connects from loopback: do not score that as a sybil attack
        IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1'])
      }
    }),
    communities: communities({ dataDir: config.dataDir, penalties, limits, named: config.communities }),
    channels: channels({ dataDir: config.dataDir, communities: config.communities, settings: config.channels, penalties, limits }),
    discovery: discovery({ ...config.discovery, dialTimeoutMs: config.network.dialTimeoutMs, limits }),
    memory: memory({ dataDir: config.dataDir, communities: config.communities, settings: config.memory, llm: config.llm, ...(openStore == null ? {} : { openStore }), ...(storeAdapter == null ? {} : { storeAdapter }) }),
    capture: memoryCapture({ settings: config.memory }),
    replication: replication({ syncIntervalMs: config.memory.syncIntervalMs, penalties, limits }),
    agents: agentRuntime({ agents: config.agents, llm: config.llm }),
    bootstrapKeeper: bootstrapKeeper({ list: config.network.bootstrap, dialTimeoutMs: config.network.dialTimeoutMs })
  }
}

/** The libp2p node with oa-node's services, as `createNode` builds it. */
export type OaLibp2p = Awaited<ReturnType<typeof createOaLibp2p>>

async function createOaLibp2p (config: NodeConfig, privateKey: PrivateKey, options: CreateNodeOptions) {
  const { connectionGater } = options
  return createLibp2p({
    privateKey,
    ...(connectionGater == null ? {} : { connectionGater }),
    start: false,
    addresses: {
      listen: config.network.listen,
      announce: config.network.announce
    },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: config.network.maxConnections,
      inboundConnectionThreshold: config.network.inboundConnectionsPerSecond,
      dialTimeout: config.network.dialTimeoutMs
    },
    // bootstrap peers are dialled by the bootstrapKeeper service once the node listens
    peerDiscovery: config.network.mdns ? [mdns()] : [],
    services: buildServices(config, options)
  })
}

/**
 * Creates an oa-node: libp2p 3 with TCP and WebSockets, Noise, yamux, identify, ping,
 * a Kademlia DHT on `/oa/kad/1.0.0`, gossipsub, and bootstrap (and optionally mDNS)
 * discovery. The identity comes from `<dataDir>/identity.key`, created on first use.
 * The node is not started: call `start()`.
 *
 * @example
 * ```ts
 * import { createNode, loadConfig } from 'oa-node'
 * const node = await createNode(await loadConfig({ flags: { dataDir: './n1' } }))
 * await node.start()
 * console.log(node.peerId.toString(), node.multiaddrs())
 * await node.stop()
 * ```
 */
export async function createNode (config: NodeConfig, options: CreateNodeOptions = {}): Promise<OaNode> {
  await ensureDataDir(config.dataDir)
  const lock = options.lock === false ? undefined : await lockDataDir(config.dataDir)
  try {
    const privateKey = options.privateKey ?? await loadOrCreateIdentity(config.dataDir)
    const libp2p = await createOaLibp2p(config, privateKey, options)
    return new OaNode({ config, libp2p, privateKey, peerId: peerIdFromPrivateKey(privateKey), lock })
  } catch (err) {
    await lock?.release()
    throw err
  }
}
