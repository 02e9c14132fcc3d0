import { join } from 'node:path'
import { Counter, Gauge, Histogram } from 'prom-client'
import { directoryBytes } from './store-size.js'
import type { Registry } from 'prom-client'
import type { Channels } from '../channels/channels.js'
import type { Memory } from '../memory/service.js'
import type { OaNode } from '../node/oa-node.js'

/** Where refusals come from in `GET /v1/status`, each with its counts by reason. */
type RejectionSource = () => Record<string, number> | undefined

/** Buckets of the latency histograms, in seconds: 1 ms to 30 s. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

function byReason (value: unknown): Record<string, number> | undefined {
  const counts = (value as { byReason?: unknown } | undefined)?.byReason
  return counts != null && typeof counts === 'object' ? counts as Record<string, number> : undefined
}

/**
 * oa-node's own metrics (`oa_*`) in a node's prom-client registry: what its services
 * report as they run (messages, direct requests, memory writes and searches) and what is
 * read at each scrape from the counters and state the node keeps anyway (refusals,
 * replication lag, store size, peers, uptime). Labels are few-valued: community, mode,
 * outcome, reason, source, origin.
 *
 * @example
 * ```ts
 * const registry = new Registry()
 * const metrics = new OaMetrics(registry)
 * metrics.observe(node)
 * console.log(await registry.metrics())   // oa_channel_messages_published_total{community="devsupport"} 1 ...
 * ```
 */
export class OaMetrics {
  readonly registry: Registry
  private readonly sources = new Map<string, RejectionSource>()
  private readonly published: Counter<'community'>
  private readonly received: Counter<'community' | 'mode'>
  private readonly requests: Counter<'community' | 'outcome'>
  private readonly requestSeconds: Histogram<'community'>
  private readonly writes: Counter<'community'>
  private readonly searches: Counter<'mode'>
  private readonly searchSeconds: Histogram<'mode'>
  private node?: OaNode

  constructor (registry: Registry) {
    this.registry = registry
    const registers = [registry]
    const sources = this.sources
    const node = (): OaNode | undefined => this.node
    this.published = new Counter({ name: 'oa_channel_messages_published_total', help: 'Channel messages this node published, per community', labelNames: ['community'], registers })
    this.received = new Counter({ name: 'oa_channel_messages_received_total', help: 'Channel messages received from peers, per community and how they came (gossip, history)', labelNames: ['community', 'mode'], registers })
    this.requests = new Counter({ name: 'oa_direct_requests_total', help: 'Direct requests this node sent to agents, per community and outcome (ok, error)', labelNames: ['community', 'outcome'], registers })
    this.requestSeconds = new Histogram({ name: 'oa_direct_request_duration_seconds', help: 'Time from sending a direct request to its response or failure', labelNames: ['community'], buckets: LATENCY_BUCKETS, registers })
    this.writes = new Counter({ name: 'oa_memory_writes_total', help: 'Memory records this node wrote (durable), per community', labelNames: ['community'], registers })
    this.searches = new Counter({ name: 'oa_memory_searches_total', help: 'Memory searches answered, per mode', labelNames: ['mode'], registers })
    this.searchSeconds = new Histogram({ name: 'oa_memory_search_duration_seconds', help: 'Time a memory search took, embedding the query included', labelNames: ['mode'], buckets: LATENCY_BUCKETS, registers })
    new Counter({
      name: 'oa_rejections_total',
      help: 'Inputs the node refused, by where (channels, communities, limits, replication, api) and reason',
      labelNames: ['source', 'reason'],
      registers,
      collect () {
        this.reset()
        for (const [source, read] of sources) {
          for (const [reason, count] of Object.entries(read() ?? {})) this.inc({ source, reason }, count)
        }
      }
    })
    new Gauge({
      name: 'oa_replication_lag',
      help: 'Records of an origin known to exist that this node does not hold yet (known seq minus contiguous held seq), per community and origin',
      labelNames: ['community', 'origin'],
      registers,
      async collect () {
        this.reset()
        const running = node()
        const memory = running?.service<Memory>('memory')
        if (running == null || memory == null || running.service('replication') == null) return
        // every community the node is in now, joined at runtime included
        for (const community of running.communities) {
          const summary = await memory.replicaStatus(community).catch(() => ({}))
          for (const [origin, { lag }] of Object.entries(summary)) this.set({ community, origin }, lag)
        }
      }
    })
    new Gauge({
      name: 'oa_memory_store_bytes',
      help: 'Bytes of the memory store files in the data dir (<dataDir>/memory)',
      registers,
      async collect () {
        const dataDir = node()?.config.dataDir
        this.set(dataDir == null ? 0 : await directoryBytes(join(dataDir, 'memory')))
      }
    })
    new Gauge({
      name: 'oa_peers_connected',
      help: 'Peers this node has an open connection to',
      registers,
      collect () { this.set(node()?.libp2p.getPeers().length ?? 0) }
    })
    new Gauge({
      name: 'oa_uptime_seconds',
      help: 'Seconds since the node started (0 when it is not running)',
      registers,
      collect () { this.set((node()?.status().uptimeMs ?? 0) / 1000) }
    })
  }

  /**
   * Counts what the node's services do from now on, and reads its state at each scrape.
   *
   * @example
   * ```ts
   * new OaMetrics(new Registry()).observe(node)
   * ```
   */
  observe (node: OaNode): void {
    this.node = node
    const channels = node.service<Channels>('channels')
    channels?.addEventListener('event', ({ detail: { event, origin } }) => {
      // direct requests and responses are counted as requests
      if (event.type.startsWith('direct.')) return
      if (origin === 'local') this.published.inc({ community: event.community })
      else if (origin === 'gossip' || origin === 'history') this.received.inc({ community: event.community, mode: origin })
    })
    channels?.addEventListener('request:done', ({ detail: { community, outcome, ms } }) => {
      this.requests.inc({ community, outcome })
      this.requestSeconds.observe({ community }, ms / 1000)
    })
    const memory = node.service<Memory>('memory')
    memory?.addEventListener('record:added', ({ detail: { community, records, local } }) => {
      if (local) this.writes.inc({ community }, records.length)
    })
    memory?.addEventListener('recalled', ({ detail: { mode, ms } }) => {
      this.searches.inc({ mode })
      this.searchSeconds.observe({ mode }, ms / 1000)
    })
    const status = (): ReturnType<OaNode['status']> => node.status()
    this.countRejections('channels', () => byReason(status().rejected))
    this.countRejections('communities', () => byReason(status().trust?.rejected))
    this.countRejections('limits', () => byReason(status().limits))
    this.countRejections('replication', () => byReason(status().replication?.rejected))
  }

  /**
   * Adds (or replaces) a source of refusals, read at each scrape into `oa_rejections_total{source}`.
   *
   * @example
   * ```ts
   * metrics.countRejections('api', () => api.rejected().byReason)
   * ```
   */
  countRejections (source: string, read: RejectionSource): void {
    this.sources.set(source, read)
  }
}
