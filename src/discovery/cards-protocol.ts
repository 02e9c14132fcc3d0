import { lpStream } from '@libp2p/utils'
import { refuseWithFrame } from '../limits/stream-limits.js'
import { AgentCard as AgentCardPb, AgentCardsRequest, AgentCardsResponse } from '../wire/generated/agents.js'
import { openPeerStream } from '../node/peer-stream.js'
import type { AgentCard } from './card.js'
import type { Stream, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export const AGENTS_PROTOCOL = '/oa/agents/1.0.0'
const MAX_REQUEST_BYTES = 1024
const MAX_RESPONSE_BYTES = 1_048_576

export function cardToWire (card: AgentCard): AgentCardPb {
  return { ...card }
}

export function cardFromWire (card: AgentCardPb): AgentCard {
  return {
    name: card.name,
    id: card.id,
    description: card.description,
    community: card.community,
    capabilities: card.capabilities,
    channels: card.channels,
    peerId: card.peerId,
    multiaddrs: card.multiaddrs,
    protocolVersion: card.protocolVersion,
    kind: card.kind,
    examples: card.examples
  }
}

/** Answers a stream over the stream limits with a response that holds no cards and says why. */
export const refuseCards = refuseWithFrame(message => AgentCardsResponse.encode({ cards: [], error: message }))

/** Answers one request for cards on an inbound stream. */
export async function serveCards (stream: Stream, cards: (community: string) => AgentCard[], signal: AbortSignal): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
  const request = AgentCardsRequest.decode(await lp.read({ signal }))
  await lp.write(AgentCardsResponse.encode({ cards: cards(request.community).map(cardToWire), error: '' }), { signal })
  await stream.close({ signal }).catch(() => {})
}

/**
 * Fetches the cards of the agents `peer` hosts, as it served them: check them with
 * `checkCards` before use (a card naming another node is a forgery). Throws when the
 * peer refused (its stream limits), naming its reason.
 */
export async function fetchCards (connectionManager: ConnectionManager, peer: PeerId, community: string, signal: AbortSignal): Promise<AgentCard[]> {
  const stream = await openPeerStream(connectionManager, peer, AGENTS_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    await lp.write(AgentCardsRequest.encode({ community }), { signal })
    const response = AgentCardsResponse.decode(await lp.read({ signal }))
    await stream.close({ signal }).catch(() => {})
    if (response.error !== '') throw new Error(`peer refused its agent cards: ${response.error}`)
    return response.cards.map(cardFromWire)
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}
