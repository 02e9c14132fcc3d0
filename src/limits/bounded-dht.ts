import type { ProviderRecordLimits } from './provider-records.js'
import type { KadDHT, KadDHTComponents } from '@libp2p/kad-dht'

/**
 * Gives a kad-dht factory a datastore whose provider records of other peers are
 * bounded by `records`; the rest of the components pass through unchanged.
 *
 * @example
 * ```ts
 * services: { dht: withProviderLimits(kadDHT({ datastorePrefix: '/oa/dht' }), limits.providerRecords) }
 * ```
 */
export function withProviderLimits (factory: (components: KadDHTComponents) => KadDHT, records: ProviderRecordLimits): (components: KadDHTComponents) => KadDHT {
  return (components) => {
    const datastore = records.wrap(components.datastore, components.peerId.toString())
    return factory(new Proxy(components, {
      get: (target, property) => property === 'datastore' ? datastore : Reflect.get(target, property) as unknown
    }))
  }
}
