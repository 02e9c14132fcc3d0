import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { agentsSection } from '../agents/config.js'
import { channelsSection, CHANNELS_DEFAULTS } from '../channels/config.js'
import { discoverySection, DISCOVERY_DEFAULTS } from '../discovery/config.js'
import { memorySection, MEMORY_DEFAULTS } from '../memory/config.js'
import { a2aSection, A2A_DEFAULTS } from '../mods/a2a/config.js'
import { communityName } from './names.js'
import type { AgentConfig } from '../agents/config.js'
import type { CAPTURE_KINDS } from '../memory/config.js'
import type { A2AConfig } from '../mods/a2a/config.js'

export { COMMUNITY_NAME, AGENT_NAME } from './names.js'
export { AGENT_TYPES, agentConfigSchema } from '../agents/config.js'
export type { AgentConfig } from '../agents/config.js'
export { CAPTURE_KINDS } from '../memory/config.js'

const multiaddrString = z.string().superRefine((value, ctx) => {
  try {
    multiaddr(value)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid multiaddr "${value}" (${(err as Error).message})` })
  }
})

const port = z.number().int().min(0).max(65535)

/** A rate: at most `points` requests in each window of `durationMs`. */
const rateLimit = z.strictObject({
  points: z.number().int().min(1).max(1_000_000),
  durationMs: z.number().int().min(100).max(86_400_000)
})

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const

/** How log lines look: `auto` is text on a terminal (stderr is a TTY), JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'text', 'json'] as const

/**
 * An entry of `mods:`: `enabled: false` turns a mod off; `module` loads a mod of your own
 * (its default export, made with defineMod); the other keys are that mod's settings,
 * checked by its own schema when it loads.
 */
const modEntry = z.looseObject({
  enabled: z.boolean().optional(),
  module: z.string().min(1).optional()
})

/**
 * One layer of configuration (a YAML file, the environment, or flags). Every key is
 * optional; objects are strict so a typo is an error that names the key.
 */
export const configLayerSchema = z.strictObject({
  dataDir: z.string().min(1).optional(),
  network: z.strictObject({
    listen: z.array(multiaddrString).optional(),
    announce: z.array(multiaddrString).optional(),
    bootstrap: z.array(multiaddrString).optional(),
    mdns: z.boolean().optional(),
    maxConnections: z.number().int().min(1).optional(),
    inboundConnectionsPerSecond: z.number().int().min(1).optional(),
    dialTimeoutMs: z.number().int().min(100).optional(),
    minPeers: z.number().int().min(0).max(100).optional(),
    swarmKey: z.string().min(1).optional(),
    announcePrivate: z.union([z.boolean(), z.literal('auto')]).optional(),
    upnp: z.boolean().optional(),
    reusePort: z.boolean().optional(),
    relay: z.strictObject({
      serve: z.boolean().optional(),
      reserve: z.union([z.boolean(), z.literal('auto')]).optional(),
      maxReservations: z.number().int().min(1).max(10_000).optional(),
      reservationTtlMs: z.number().int().min(60_000).max(86_400_000).optional(),
      maxDurationMs: z.number().int().min(1_000).max(86_400_000).optional(),
      maxDataBytes: z.number().int().min(65_536).max(17_179_869_184).optional()
    }).optional()
  }).optional(),
  api: z.strictObject({
    port: port.optional(),
    metrics: z.boolean().optional()
  }).optional(),
  communities: z.array(communityName).optional(),
  channels: channelsSection.optional(),
  agents: agentsSection.optional(),
  discovery: discoverySection.optional(),
  memory: memorySection.optional(),
  a2a: a2aSection.optional(),
  llm: z.strictObject({
    baseUrl: z.url().optional(),
    apiKey: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(1000).optional(),
    connectTimeoutMs: z.number().int().min(100).max(600_000).optional(),
    maxRetries: z.number().int().min(0).max(10).optional()
  }).optional(),
  log: z.strictObject({
    level: z.enum(LOG_LEVELS).optional(),
    format: z.enum(LOG_FORMATS).optional()
  }).optional(),
  mods: z.record(z.string(), modEntry).optional(),
  limits: z.strictObject({
    direct: z.strictObject({
      perPeer: rateLimit.optional(),
      perAgent: rateLimit.optional()
    }).optional(),
    streams: z.strictObject({
      perProtocol: z.number().int().min(1).max(100_000).optional(),
      perPeer: z.number().int().min(1).max(100_000).optional()
    }).optional(),
    providers: z.strictObject({
      perPeer: z.number().int().min(1).optional(),
      perKey: z.number().int().min(1).optional(),
      total: z.number().int().min(1).optional()
    }).optional(),
    cards: z.strictObject({
      perPeer: z.number().int().min(1).max(10_000).optional()
    }).optional()
  }).optional()
})

export type ConfigLayer = z.infer<typeof configLayerSchema>

/** The complete, validated node configuration. */
export interface NodeConfig {
  /** Where the identity key, API files and stores live. */
  dataDir: string
  network: {
    /** Multiaddrs to listen on (TCP and WebSockets by default). */
    listen: string[]
    /** Multiaddrs to announce instead of the listen addresses (empty: announce what we listen on). */
    announce: string[]
    /** Peers to join through: full multiaddrs ending in `/p2p/<peer id>`. */
    bootstrap: string[]
    /** Discover peers on the local network with mDNS. */
    mdns: boolean
    maxConnections: number
    /** New inbound connections accepted per second from one host (local clusters come from one address). */
    inboundConnectionsPerSecond: number
    dialTimeoutMs: number
    /** Peers the node keeps connections to, found through the DHT when it has fewer (0: off). */
    minPeers: number
    /** A swarm key file: only nodes with the same key can connect (a private network). Absolute once loaded. */
    swarmKey?: string
    /**
     * Announce private and loopback addresses: `auto` (only while the node has no address
     * usable from anywhere, direct or relayed: a local cluster keeps them), `true` always,
     * `false` never. The DHT drops other peers' private addresses by the same rule.
     */
    announcePrivate: boolean | 'auto'
    /** Ask the router for a port mapping with UPnP / NAT-PMP. */
    upnp: boolean
    /**
     * Dial public addresses from the TCP listening port (SO_REUSEPORT), and send the
     * addresses peers observe for the node to DCUtR, so that two nodes behind NATs can
     * hole punch. Observed addresses are never announced.
     */
    reusePort: boolean
    relay: RelaySettings
  }
  api: {
    /** Port of the local control API on 127.0.0.1 (0 = any free port). */
    port: number
    /** Collect metrics and answer Prometheus scrapes on `GET /metrics` (default true). */
    metrics: boolean
  }
  /** Communities this node joins. */
  communities: string[]
  channels: {
    /** Channels to open per community at start; `general` is always open. */
    declared: Record<string, string[]>
    /** Open a channel of a joined community when a peer opens it (channels are created on demand). */
    followPeers: boolean
    /** Largest encoded envelope accepted or sent, in bytes. */
    maxMessageBytes: number
    /** Longest message text, in UTF-8 bytes. */
    maxTextBytes: number
    /** Largest clock difference accepted on live messages, in ms. */
    maxClockSkewMs: number
    /** Default time a direct request waits for its response, in ms. */
    directTimeoutMs: number
    history: {
      /** Newest messages kept per channel. */
      maxMessagesPerChannel: number
      /** Oldest message kept, in days. */
      maxAgeDays: number
      /** Messages asked from a peer per channel when backfilling. */
      backfillLimit: number
    }
  }
  /** Agents this node hosts. */
  agents: AgentConfig[]
  discovery: {
    /** How long a fetched agent card is trusted before it is fetched again, in ms. */
    cardTtlMs: number
    /** How often DHT provider records are re-announced, in ms. */
    reprovideIntervalMs: number
    /** Longest a capability lookup waits for DHT providers, in ms. */
    lookupTimeoutMs: number
    /** Members of each community the node keeps connections to, when that many exist (0: only the DHT's own peers). */
    communityPeers: number
    /** How often the node checks its community connections and dials more members below the target, in ms. */
    communityPeersIntervalMs: number
  }
  memory: {
    /** Run the memory service (default true). */
    enabled: boolean
    /** `embedded` (SQLite and an HNSW index in `<dataDir>/memory`, in the node's process; `sqlite` is another name for it) or `milvus` (shared server). */
    store: 'embedded' | 'milvus'
    /**
     * `auto` (the neural model when its files are present, the lexical embedder otherwise),
     * `neural` (the model, required), `lexical` (word and character hashing, offline, no
     * model; `local` is its earlier name) or `openai` (the llm endpoint's embeddings).
     */
    embedder: 'auto' | 'neural' | 'lexical' | 'openai'
    /** The neural model's name, a folder in `modelDir` (`oa-node models list`). */
    model: string
    /** Where neural models are (default ~/.oa-node/models). */
    modelDir: string
    /** OPENAI_EMBEDDING_MODEL */
    embeddingModel: string
    embeddingDimensions?: number
    /** Longest record text, in UTF-8 bytes. */
    maxTextBytes: number
    /** Writes arriving within this window share one commit. */
    writeWindowMs: number
    /** What is captured automatically, per community (`*` for the others). */
    capture: Record<string, Array<typeof CAPTURE_KINDS[number]>>
    /** How often a random community peer is asked for missing records (anti-entropy), in ms. */
    syncIntervalMs: number
    milvus: {
      /** MILVUS_ADDRESS, host:port */
      address?: string
      /** MILVUS_TOKEN */
      token?: string
      username?: string
      password?: string
      database?: string
      tls: boolean
      collection: string
      numPartitions: number
      indexType: 'HNSW' | 'IVF_FLAT' | 'AUTOINDEX'
      indexParams: Record<string, number | string>
      searchParams: Record<string, number | string>
      consistencyLevel: 'Strong' | 'Session' | 'Bounded' | 'Eventually'
      /** Time each call may take while the store opens (connecting, checking the collection); a server that does not answer fails the start after it. */
      connectTimeoutMs: number
      /** Time each call may take once the store is open (searches, writes, reads). */
      requestTimeoutMs: number
    }
  }
  /** The A2A gateway: the inbound server for this node's agents, and external A2A agents hosted here. */
  a2a: A2AConfig
  llm: {
    /** OpenAI-compatible endpoint (OPENAI_BASE_URL). Without it and without apiKey, agents run offline. */
    baseUrl?: string
    /** OPENAI_API_KEY */
    apiKey?: string
    /** OPENAI_MODEL */
    model: string
    timeoutMs: number
    /** Time the embeddings endpoint (embedder: openai) has at start to give its first answer, retries included. */
    connectTimeoutMs: number
    /** Retries on 429 and 5xx answers and on connection errors, with backoff. */
    maxRetries: number
  }
  log: {
    level: typeof LOG_LEVELS[number]
    /** `auto` (text on a terminal, JSON lines otherwise), `text` or `json`. */
    format: typeof LOG_FORMATS[number]
  }
  /** What one peer can make this node do. */
  limits: LimitSettings
  /** Mods turned off, and mods of your own, by name. */
  mods: Record<string, ModEntry>
}

/** One entry of `mods:`. */
export interface ModEntry {
  /** False turns the mod off (default true). */
  enabled?: boolean
  /** A user mod's module file (absolute once loaded; relative to the config file in YAML). */
  module?: string
  /** A user mod's own settings. */
  [key: string]: unknown
}

/** `network.relay`: the relay service this node offers, and the reservations it makes on others. */
export interface RelaySettings {
  /** Offer a circuit relay (v2) service to nodes that cannot be reached directly (a publicly reachable node). */
  serve: boolean
  /** Reserve a slot on a relay and announce the relayed address: `auto` (when the node has no public address and offers no relay), `true`, `false`. */
  reserve: boolean | 'auto'
  /** Reservations the relay service holds at once. */
  maxReservations: number
  /** How long one reservation lasts before the node must renew it, in ms. */
  reservationTtlMs: number
  /** Longest one relayed connection lasts, in ms (then it is closed; the peers reconnect). */
  maxDurationMs: number
  /** Most bytes one relayed connection carries, in each direction. */
  maxDataBytes: number
}

/** A rate: at most `points` requests in each window of `durationMs`. */
export interface RateLimitSetting {
  points: number
  durationMs: number
}

/** The `limits` section of the node config. */
export interface LimitSettings {
  direct: {
    /** Direct requests one peer may send to this node's agents. */
    perPeer: RateLimitSetting
    /** Direct requests one agent of this node answers, from all peers together. */
    perAgent: RateLimitSetting
  }
  streams: {
    /** Inbound streams open at once per oa protocol, over all connections. */
    perProtocol: number
    /** Of those, how many one peer may hold (over all its connections). */
    perPeer: number
  }
  providers: {
    /** DHT keys one remote peer may be a provider of in this node's provider store. */
    perPeer: number
    /** Providers stored per DHT key (a community, or one capability of a community). */
    perKey: number
    /** Provider records of remote peers stored in all. */
    total: number
  }
  cards: {
    /** Agent cards accepted from one peer; a peer that serves more is refused. */
    perPeer: number
  }
}

export const DEFAULT_TCP_PORT = 7700
export const DEFAULT_WS_PORT = 7701
export const DEFAULT_API_PORT = 7780

/** Defaults, before any file, environment variable or flag. `dataDir` is filled in by the loader. */
export const DEFAULTS: Omit<NodeConfig, 'dataDir'> = {
  network: {
    listen: [`/ip4/0.0.0.0/tcp/${DEFAULT_TCP_PORT}`, `/ip4/0.0.0.0/tcp/${DEFAULT_WS_PORT}/ws`],
    announce: [],
    bootstrap: [],
    mdns: false,
    maxConnections: 300,
    inboundConnectionsPerSecond: 25,
    dialTimeoutMs: 10_000,
    minPeers: 4,
    announcePrivate: 'auto',
    upnp: false,
    reusePort: true,
    relay: {
      serve: false,
      reserve: 'auto',
      maxReservations: 32,
      reservationTtlMs: 3_600_000,
      maxDurationMs: 600_000,
      maxDataBytes: 16_777_216
    }
  },
  api: {
    port: DEFAULT_API_PORT,
    metrics: true
  },
  communities: [],
  channels: CHANNELS_DEFAULTS,
  agents: [],
  discovery: DISCOVERY_DEFAULTS,
  memory: MEMORY_DEFAULTS,
  a2a: A2A_DEFAULTS,
  llm: {
    model: 'gpt-4o-mini',
    timeoutMs: 60_000,
    connectTimeoutMs: 15_000,
    maxRetries: 2
  },
  log: {
    level: 'warn',
    format: 'auto'
  },
  mods: {},
  limits: {
    direct: {
      perPeer: { points: 30, durationMs: 10_000 },
      perAgent: { points: 60, durationMs: 10_000 }
    },
    streams: {
      perProtocol: 128,
      perPeer: 16
    },
    providers: {
      perPeer: 256,
      perKey: 256,
      total: 65_536
    },
    cards: {
      perPeer: 64
    }
  }
}
