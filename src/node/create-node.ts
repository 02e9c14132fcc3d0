import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { Registry } from 'prom-client'
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { composeMods } from '../mods/compose.js'
import { gossipFastMessageId, gossipMessageId } from '../channels/message-id.js'
import { PeerPenalties } from '../channels/penalties.js'
import { bootstrapKeeper } from './bootstrap-keeper/index.js'
import { meshKeeper } from './mesh-keeper/index.js'
import { NodeLimits, withProviderLimits } from '../limits/index.js'
import { DHT_DATASTORE_PREFIX, DHT_PROTOCOL } from './constants.js'
import { ensureDataDir, lockDataDir } from './data-dir.js'
import { loadOrCreateIdentity } from './identity.js'
import { readSwarmKey } from './swarm-key.js'
import { AddressHygiene, reachListen, reachService, reachServices, relayTransport, upnpService } from './reach.js'
import { OaNode } from './oa-node.js'
import { portReuseAvailable, reusePortTcp } from './reuse-port-tcp.js'
import { ObservedAddresses } from './observed-addresses.js'
import { libp2pMetrics } from '../metrics/libp2p-metrics.js'
import { OaMetrics } from '../metrics/oa-metrics.js'
import type { NodeConfig } from '../config/schema.js'
import type { AgentRuntime } from '../agents/runtime.js'
import type { Channels } from '../channels/channels.js'
import type { Communities } from '../communities/service.js'
import type { Discovery } from '../discovery/discovery.js'
import type { Memory } from '../memory/service.js'
import type { Replicator } from '../memory/replication/replicator.js'
import type { MemoryCapture } from '../memory/capture-service.js'
import type { ComposedMods } from '../mods/compose.js'
import type { AnyMod } from '../mods/contract.js'
import type { BootstrapKeeper } from './bootstrap-keeper/bootstrap-keeper.js'
import type { MeshKeeper } from './mesh-keeper/mesh-keeper.js'
import type { Libp2p } from 'libp2p'
import type { Embedder } from '../memory/embedders/types.js'
import type { MemoryStore } from '../memory/types.js'
import type { StoreAdapter } from '../memory/stores/adapter.js'
import type { ConnectionGater, PrivateKey } from '@libp2p/interface'
import type { UPnPService } from './reach.js'

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
  /**
   * Embeds with this instead of the embedder `memory.embedder` names (tests count its
   * calls, or give it another name).
   *
   * @example
   * ```ts
   * const node = await createNode(config, { memoryEmbedder: new LocalEmbedder() })
   * ```
   */
  memoryEmbedder?: Embedder
}

/** The services every node runs, whatever its mods: limits, identify, ping, the DHT, gossipsub. */
function coreServices (config: NodeConfig, penalties: PeerPenalties, limits: NodeLimits, hygiene: AddressHygiene, upnp: UPnPService | undefined) {
  // the node's addresses as peers observe them, for hole punching only (never announced); of use only when dials leave from the listening port
  const observed = config.network.reusePort && portReuseAvailable() ? new ObservedAddresses() : undefined
  return {
    // reachability, relay reservations, AutoNAT, DCUtR, the relay service and UPnP (src/node/reach.ts)
    reach: reachService(hygiene, observed),
    ...reachServices(config.network, observed, upnp),
    limits: () => limits,
    identify: identify(),
    // tell connected peers when our addresses change
    identifyPush: identifyPush(),
    // two: the connection monitor's ping and one of GET /v1/network may run at once
    ping: ping({ maxOutboundStreams: 2 }),
    dht: withProviderLimits(kadDHT({
      protocol: DHT_PROTOCOL,
      // the reach service switches to client mode while the node is reachable only through relays
      clientMode: false,
      // local clusters live on loopback and private addresses: kept unless network.announcePrivate drops them
      peerInfoMapper: hygiene.peerInfoMapper,
      logPrefix: 'oa:kad-dht',
      datastorePrefix: DHT_DATASTORE_PREFIX
    }), limits.providerRecords),
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      // a node behind a NAT that drops unsolicited traffic is reached through a relay only
      runOnLimitedConnection: true,
      emitSelf: false,
      globalSignaturePolicy: 'StrictSign',
      msgIdFn: gossipMessageId,
      fastMsgIdFn: gossipFastMessageId,
      scoreParams: {
        appSpecificScore: (peer: string) => penalties.score(peer),
        // every node of a local cluster connects from loopback: do not score that as a sybil attack
        IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1'])
      }
    })
  }
}

/** Gives a mod's service the libp2p capability `@oa-node/<name>` and makes it depend on those of the mods it needs. */
function withCapabilities (mod: AnyMod, create: (components: never) => unknown): (components: never) => unknown {
  return (components) => {
    const service = create(components)
    if (service == null || typeof service !== 'object') return service
    const target = service as Record<symbol, unknown>
    const held = (key: symbol): string[] => Array.isArray(target[key]) ? target[key] as string[] : []
    target[serviceCapabilities] = [...new Set([...held(serviceCapabilities), `@oa-node/${mod.name}`, ...(mod.service?.capabilities ?? [])])]
    target[serviceDependencies] = [...new Set([...held(serviceDependencies), ...(mod.needs ?? []).map(n => `@oa-node/${n}`), ...(mod.service?.dependencies ?? [])])]
    return service
  }
}

function buildServices (config: NodeConfig, composed: ComposedMods, options: CreateNodeOptions, hygiene: AddressHygiene, upnp: UPnPService | undefined) {
  // invalid messages found by the services lower the sender's gossipsub score
  const penalties = new PeerPenalties()
  // what one peer can make this node do; refusals it earns lower its score too
  const limits = new NodeLimits(config.limits, penalties, DHT_DATASTORE_PREFIX)
  const mods: Record<string, (components: never) => unknown> = {}
  for (const { mod, config: modConfig } of composed.mods) {
    if (mod.service == null) continue
    mods[mod.name] = withCapabilities(mod, mod.service.create({
      config: modConfig,
      node: config,
      events: composed.events,
      penalties,
      limits,
      options: { ...options },
      facades: composed.facades
    }))
  }
  return {
    ...coreServices(config, penalties, limits, hygiene, upnp),
    ...mods,
    bootstrapKeeper: bootstrapKeeper({ list: config.network.bootstrap, dialTimeoutMs: config.network.dialTimeoutMs }),
    meshKeeper: meshKeeper({ minPeers: config.network.minPeers, dialTimeoutMs: config.network.dialTimeoutMs })
  }
}

/** The services made by a map of service factories. */
type Instances<T> = { [K in keyof T]: T[K] extends (...args: never[]) => infer R ? R : never }

/** The services of the built-in mods, by name, as `libp2p.services` holds them when every built-in mod is on. */
export interface BuiltinServices {
  communities: Communities
  channels: Channels
  discovery: Discovery
  memory: Memory
  capture: MemoryCapture
  replication: Replicator
  agents: AgentRuntime
}

/** The libp2p node with oa-node's services, as `createNode` builds it: the core ones, each mod's under its name. */
export type OaLibp2p = Libp2p<Instances<ReturnType<typeof coreServices>> & BuiltinServices & { bootstrapKeeper: BootstrapKeeper, meshKeeper: MeshKeeper } & Record<string, unknown>>

async function createOaLibp2p (config: NodeConfig, privateKey: PrivateKey, composed: ComposedMods, options: CreateNodeOptions, registry: Registry | undefined): Promise<OaLibp2p> {
  const { connectionGater } = options
  // a private network: every connection is encrypted with the swarm key before Noise, so a node without it cannot connect
  const psk = config.network.swarmKey == null ? undefined : await readSwarmKey(config.network.swarmKey)
  const hygiene = new AddressHygiene(config.network.announcePrivate)
  const node = await createLibp2p({
    privateKey,
    ...(connectionGater == null ? {} : { connectionGater }),
    // each node has a registry of its own, also when several run in one process
    ...(registry == null ? {} : { metrics: libp2pMetrics(registry) }),
    ...(psk == null ? {} : { connectionProtector: preSharedKey({ psk }) }),
    start: false,
    addresses: {
      listen: reachListen(config.network),
      announce: config.network.announce,
      announceFilter: hygiene.announceFilter
    },
    // with network.reusePort, dials to public addresses leave from the listening port (hole punching)
    transports: [reusePortTcp({ reusePort: config.network.reusePort }), webSockets(), relayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: config.network.maxConnections,
      inboundConnectionThreshold: config.network.inboundConnectionsPerSecond,
      dialTimeout: config.network.dialTimeoutMs
    },
    // bootstrap peers are dialled by the bootstrapKeeper service once the node listens
    peerDiscovery: config.network.mdns ? [mdns()] : [],
    services: buildServices(config, composed, options, hygiene, await upnpService(config.network))
  })
  node.services.reach.useDht(node.services.dht)
  // the built-in mods' services are typed as present; a mod that is off has none (OaNode.service)
  return node as unknown as OaLibp2p
}

/**
 * Creates an oa-node: libp2p 3 with TCP and WebSockets, Noise, yamux, identify, ping,
 * a Kademlia DHT on `/oa/kad/1.0.0`, gossipsub, and bootstrap (and optionally mDNS)
 * discovery, with the services of its mods: the built-in ones not turned off in
 * `mods:`, then the user mods loaded from their modules (ConfigError naming
 * `mods.<name>` when one cannot load or is misconfigured). The identity comes from `<dataDir>/identity.key`, created on first use.
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
    const composed = await composeMods(config)
    const privateKey = options.privateKey ?? await loadOrCreateIdentity(config.dataDir)
    const registry = config.api.metrics ? new Registry() : undefined
    const libp2p = await createOaLibp2p(config, privateKey, composed, options, registry)
    const metrics = registry == null ? undefined : new OaMetrics(registry)
    return new OaNode({ config, libp2p, privateKey, peerId: peerIdFromPrivateKey(privateKey), lock, mods: composed, metrics })
  } catch (err) {
    await lock?.release()
    throw err
  }
}
