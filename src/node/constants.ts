/** The DHT protocol: oa-node runs its own Kademlia network, not the public IPFS DHT. */
export const DHT_PROTOCOL = '/oa/kad/1.0.0'

/** Where the DHT keeps its records (provider records under `<prefix>/provider/`). */
export const DHT_DATASTORE_PREFIX = '/oa/dht'
