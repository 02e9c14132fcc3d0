/** The DHT protocol: oa-node runs its own Kademlia network, not the public IPFS DHT. */
export const DHT_PROTOCOL = '/oa/kad/1.0.0'
