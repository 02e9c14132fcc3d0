import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { defaultLogger } from '@libp2p/logger'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { libp2pMetrics } from '../../src/metrics/libp2p-metrics.js'
import { waitFor } from '../helpers/wait.js'
import type { Libp2p, Metrics } from '@libp2p/interface'

const CONNECTIONS = 'libp2p_connection_manager_connections'

async function value (registry: Registry, name: string, label?: string): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name)
  if (metric == null) return undefined
  const { values } = await metric.get()
  return values.find(v => label == null || Object.values(v.labels).includes(label))?.value
}

describe('libp2p metrics, one registry per node', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => n.stop()))
  })

  async function pair (metrics: (registry: Registry) => (components: never) => Metrics): Promise<[Registry, Registry]> {
    const registries: [Registry, Registry] = [new Registry(), new Registry()]
    // both made before either starts: libp2p registers some metrics only at start
    for (const registry of registries) {
      nodes.push(await createLibp2p({
        start: false,
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        metrics: metrics(registry)
      }))
    }
    const [a, b] = nodes as [Libp2p, Libp2p]
    await a.start()
    await b.start()
    await b.dial(a.getMultiaddrs()[0]!)
    await waitFor('a holds the connection b opened', () => a.getConnections().length === 1)
    return registries
  }

  it('gives two nodes in one process each its own figures', async () => {
    const [a, b] = await pair(libp2pMetrics)
    expect(await value(a, CONNECTIONS, 'inbound')).toBe(1)
    expect(await value(a, CONNECTIONS, 'outbound')).toBe(0)
    expect(await value(b, CONNECTIONS, 'outbound')).toBe(1)
    expect(await value(b, CONNECTIONS, 'inbound')).toBe(0)
  })

  it('is needed: the package alone hands the second node the first one\'s metrics', async () => {
    const [a, b] = await pair(registry => prometheusMetrics({ registry }))
    // the name was taken in the process already: b's calculation is dropped, a's registry counts it all
    expect(await value(b, CONNECTIONS, 'outbound')).toBeUndefined()
    expect(await value(a, CONNECTIONS, 'inbound')).toBe(1)
  })

  it('makes a metric of the same name afresh in each registry, and the same one again for the same node', async () => {
    const registries = [new Registry(), new Registry()]
    const [one, two] = registries.map(registry => libp2pMetrics(registry)({ logger: defaultLogger() })) as [Metrics, Metrics]
    const counter = one.registerCounter('libp2p_test_things_total')
    two.registerCounter('libp2p_test_things_total')
    counter.increment(3)
    one.registerCounter('libp2p_test_things_total').increment()
    expect(await value(registries[0]!, 'libp2p_test_things_total')).toBe(4)
    expect(await value(registries[1]!, 'libp2p_test_things_total')).toBe(0)
  })
})
