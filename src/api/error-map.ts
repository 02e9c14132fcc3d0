import { CommunityError } from '../communities/errors.js'
import { EndpointError } from '../endpoints/errors.js'
import { ChannelInputError, DirectTimeoutError, LimitedError, NoSuchAgentError, RejectedError, UnreachableError } from '../channels/errors.js'
import { EmbedderMismatchError, MemoryInputError, MemoryStoreError, MemoryUnavailableError } from '../memory/errors.js'
import { PeerInputError, PeerUnreachableError } from '../node/errors.js'
import { ApiError } from './errors.js'

const INPUT_STATUS: Record<string, number> = {
  not_member: 404,
  not_found: 404,
  not_owner: 403,
  too_large: 413,
  text_too_long: 413,
  read_only: 403
}

const COMMUNITY_STATUS: Record<string, number> = {
  unknown_community: 404,
  not_member: 403,
  not_joined: 404,
  not_admin: 403,
  exists: 409,
  name_taken: 409,
  creator: 403,
  open_community: 409,
  unreachable: 502,
  no_key: 409
}

/** Maps errors of the node's services onto HTTP answers; undefined for unexpected ones (500). */
export function toApiError (err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err
  if (err instanceof ChannelInputError || err instanceof MemoryInputError) return new ApiError(INPUT_STATUS[err.code] ?? 400, err.code, err.message)
  if (err instanceof CommunityError) return new ApiError(COMMUNITY_STATUS[err.code] ?? 400, err.code, err.message)
  if (err instanceof PeerInputError) return new ApiError(400, 'bad_peer', err.message)
  if (err instanceof PeerUnreachableError) return new ApiError(502, 'unreachable', err.message)
  if (err instanceof MemoryUnavailableError) return new ApiError(503, 'memory_unavailable', err.message)
  if (err instanceof EmbedderMismatchError) return new ApiError(500, 'embedder_mismatch', err.message)
  // Milvus or the embeddings endpoint cannot be reached or used: the node runs, this request cannot be served now
  if (err instanceof EndpointError) return new ApiError(503, 'endpoint_unavailable', err.message, { endpoint: err.endpoint, address: err.address })
  if (err instanceof MemoryStoreError) return new ApiError(502, 'memory_store', err.message)
  if (err instanceof NoSuchAgentError) return new ApiError(404, 'no_such_agent', err.message)
  if (err instanceof UnreachableError) return new ApiError(502, 'unreachable', err.message)
  if (err instanceof DirectTimeoutError) return new ApiError(504, 'timeout', err.message)
  if (err instanceof LimitedError) return new ApiError(err.limit === 'rate' ? 429 : 503, err.limit === 'rate' ? 'rate_limited' : 'busy', err.message, err.retryInMs == null ? undefined : { retryInMs: err.retryInMs })
  if (err instanceof RejectedError) return new ApiError(502, 'rejected', err.message)
  return undefined
}
