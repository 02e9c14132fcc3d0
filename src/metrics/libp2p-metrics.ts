import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { serviceCapabilities } from '@libp2p/interface'
import { Registry } from 'prom-client'
import type { PrometheusMetricsComponents } from '@libp2p/prometheus-metrics'
import type { Metrics } from '@libp2p/interface'

type Register = 'registerMetric' | 'registerMetricGroup' | 'registerCounter' | 'registerCounterGroup' | 'registerHistogram' | 'registerHistogramGroup' | 'registerSummary' | 'registerSummaryGroup'

/**
 * Empties `@libp2p/prometheus-metrics`' process-wide cache of metrics by name: the
 * package clears it whenever an instance is made. The throwaway instance registers its
 * own few metrics into a registry of its own, which nothing reads.
 */
function clearNameCache (components: PrometheusMetricsComponents): void {
  prometheusMetrics({ registry: new Registry(), collectDefaultMetrics: false })(components)
}

/**
 * libp2p's metrics for one node, in that node's own prom-client registry.
 *
 * `@libp2p/prometheus-metrics` keeps the metrics it made in one cache for the whole
 * process, by name: a second node in the process would be handed the first node's
 * metrics (or, for calculated ones, have its callbacks dropped). Here each node keeps
 * its own cache, and the package's is emptied before each registration the node has
 * not made yet, so every metric is made afresh in this node's registry.
 *
 * @example
 * ```ts
 * const registry = new Registry()
 * const node = await createLibp2p({ metrics: libp2pMetrics(registry), ... })
 * console.log(await registry.metrics())   // libp2p_connection_manager_connections{direction="inbound"} 0 ...
 * ```
 */
export function libp2pMetrics (registry: Registry): (components: PrometheusMetricsComponents) => Metrics {
  return (components) => {
    const inner = prometheusMetrics({ registry })(components)
    const made = new Map<string, unknown>()
    const register = (kind: Register) => (name: string, options?: object): unknown => {
      if (made.has(name)) return made.get(name)
      clearNameCache(components)
      const metric = (inner[kind] as (name: string, options?: object) => unknown)(name, options)
      made.set(name, metric)
      return metric
    }
    return {
      [Symbol.toStringTag]: '@oa-node/libp2p-metrics',
      [serviceCapabilities]: ['@libp2p/metrics'],
      trackMultiaddrConnection: (maConn) => { inner.trackMultiaddrConnection(maConn) },
      trackProtocolStream: (stream) => { inner.trackProtocolStream(stream) },
      registerMetric: register('registerMetric'),
      registerMetricGroup: register('registerMetricGroup'),
      registerCounter: register('registerCounter'),
      registerCounterGroup: register('registerCounterGroup'),
      registerHistogram: register('registerHistogram'),
      registerHistogramGroup: register('registerHistogramGroup'),
      registerSummary: register('registerSummary'),
      registerSummaryGroup: register('registerSummaryGroup'),
      createTrace: (): unknown => inner.createTrace() as unknown,
      traceFunction: ((name: string, fn: (...args: unknown[]) => unknown) => inner.traceFunction(name, fn)) as Metrics['traceFunction']
    } as Metrics
  }
}
