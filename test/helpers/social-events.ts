import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ulid } from 'ulid'
import type { EventJson } from '../../src/events/json.js'

/** Peer ids of real Ed25519 keys, for agent ids in fold and trust tests. */
export async function peerIds (n: number): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

let clock = 1_764_000_000_000

/** An event as the channels mod's `event` stream carries it (the pipeline checked its signature before the fold sees it). */
export function event (init: { type: string, source: string, payload: unknown, community?: string, channel?: string, id?: string, timestamp?: number, replyTo?: string, target?: string }): EventJson {
  const timestamp = init.timestamp ?? clock++
  return {
    id: init.id ?? ulid(timestamp),
    type: init.type,
    community: init.community ?? 'devsupport',
    channel: init.channel,
    source: init.source,
    timestamp,
    time: new Date(timestamp).toISOString(),
    payload: init.payload,
    ...(init.replyTo == null ? {} : { replyTo: init.replyTo }),
    ...(init.target == null ? {} : { target: init.target })
  }
}

/** `social.endorsement.add` (or `.remove`) by `source` of `agent` for `capability`. */
export function endorsement (source: string, agent: string, capability: string, remove = false, timestamp?: number): EventJson {
  return event({ type: remove ? 'social.endorsement.remove' : 'social.endorsement.add', channel: 'social', source, payload: { agent, capability }, timestamp })
}
