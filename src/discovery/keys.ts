import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'

const RAW = 0x55
const SHA2_256 = 0x12

function cidOf (text: string): CID {
  return CID.createV1(RAW, createDigest(SHA2_256, createHash('sha256').update(text).digest()))
}

/** Capabilities are matched case-insensitively, trimmed. */
export function normalizeCapability (capability: string): string {
  return capability.trim().toLowerCase()
}

/**
 * The DHT key under which every node of a community provides: CID(sha256(`oa/1/community/<c>`)).
 *
 * @example
 * ```ts
 * for await (const p of libp2p.contentRouting.findProviders(communityKey('devsupport'))) console.log(p.id)
 * ```
 */
export function communityKey (community: string): CID {
  return cidOf(`oa/1/community/${community}`)
}

/** The DHT key of a capability in a community: CID(sha256(`oa/1/cap/<c>/<capability>`)). */
export function capabilityKey (community: string, capability: string): CID {
  return cidOf(`oa/1/cap/${community}/${normalizeCapability(capability)}`)
}
