import { lpStream } from '@libp2p/utils'
import { refuseWithFrame } from '../limits/stream-limits.js'
import { CommunityRequest, CommunityResponse } from '../wire/generated/community.js'
import { openPeerStream } from '../node/peer-stream.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export const COMMUNITY_PROTOCOL = '/oa/community/1.0.0'
export const MAX_REQUEST_BYTES = 80_000
export const MAX_RESPONSE_BYTES = 4 * 1_048_576
export const CONTROL_TIMEOUT_MS = 10_000

export { CommunityRequest, CommunityResponse }

/** Answers a stream over the stream limits with an error response that says why. */
export const refuseControl = refuseWithFrame(message => CommunityResponse.encode({ objects: [], error: message }))

/** Sends one request over `/oa/community/1.0.0` and reads the answer. */
export async function requestControl (connectionManager: ConnectionManager, peer: PeerId, request: CommunityRequest, signal: AbortSignal): Promise<CommunityResponse> {
  const stream = await openPeerStream(connectionManager, peer, COMMUNITY_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    await lp.write(CommunityRequest.encode(request), { signal })
    const response = CommunityResponse.decode(await lp.read({ signal }))
    await stream.close({ signal }).catch(() => {})
    return response
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

/** Reads one request from an inbound stream, answers it with `answer`, and closes. */
export async function serveControl (stream: Stream, answer: (request: CommunityRequest) => Promise<CommunityResponse>, onBadRequest: (message: string) => void): Promise<void> {
  const signal = AbortSignal.timeout(CONTROL_TIMEOUT_MS)
  const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
  let request: CommunityRequest
  try {
    request = CommunityRequest.decode(await lp.read({ signal }))
  } catch (err) {
    onBadRequest((err as Error).message)
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    return
  }
  try {
    await lp.write(CommunityResponse.encode(await answer(request)), { signal })
    await stream.close({ signal }).catch(() => {})
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}
