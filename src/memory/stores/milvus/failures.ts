import { EndpointError } from '../../../endpoints/errors.js'
import { networkCause } from '../../../endpoints/network-cause.js'

/** gRPC status codes the store tells apart. */
const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, PERMISSION_DENIED: 7, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const

const ADDRESS_HINT = 'MILVUS_ADDRESS / memory.milvus.address'
const RUNNING_HINT = `is it running? ${ADDRESS_HINT}`
const CREDENTIALS_HINT = 'check MILVUS_TOKEN / memory.milvus.token, or memory.milvus.username and password'
/** The gRPC port of a Milvus server. */
export const MILVUS_PORT = 19530
const PORT_HINT = `is ${ADDRESS_HINT} the gRPC port of a Milvus server, ${MILVUS_PORT} by default?`
const EXPECTED = `expected host:port such as 127.0.0.1:${MILVUS_PORT}`

/** When the failure happened: opening the store (connectTimeoutMs bounds each call) or serving a request (requestTimeoutMs). */
export type MilvusPhase = 'connect' | 'request'

/**
 * A malformed address, before any connection is tried: an empty host, white space, a port
 * that is not a number from 1 to 65535. Undefined when the address looks usable
 * (`host`, `host:port`, with or without `http://` or `https://`).
 *
 * @example
 * ```ts
 * milvusAddressProblem('127.0.0.1:19530')  // undefined
 * milvusAddressProblem('127.0.0.1:99999')  // 'malformed address: "99999" is not a port; expected host:port such as 127.0.0.1:19530'
 * ```
 */
export function milvusAddressProblem (address: string): string | undefined {
  const rest = address.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '')
  if (rest === '' || /\s/.test(address.trim())) return `malformed address, ${EXPECTED}`
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:/[\]]+)(?::([^:/]*))?$/.exec(rest)
  if (match == null) return `malformed address, ${EXPECTED}`
  const port = match[2]
  if (port != null && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535)) return `malformed address: "${port}" is not a port; ${EXPECTED}`
  return undefined
}

/** The error a malformed address gets, without trying to connect. */
export function malformedAddress (address: string, problem: string): EndpointError {
  return new EndpointError({ endpoint: 'milvus', address: JSON.stringify(address), reason: problem, hint: ADDRESS_HINT })
}

/** The gRPC error text without the client's retry notes. */
function details (err: { details?: unknown, message?: unknown }): string {
  const text = typeof err.details === 'string' ? err.details : typeof err.message === 'string' ? err.message : ''
  return text.replace(/^No connection established\. Last error: (Error: )?/, '').replace(/\.?\s*Resolution note:.*$/s, '').replace(/\s*\(retried \d+ times.*$/s, '').split('\n')[0]?.trim() ?? ''
}

/**
 * The `EndpointError` for a failed call to Milvus when the failure is the server's
 * (unreachable, not Milvus, refused credentials, no answer in time), or undefined when
 * it is not (a refusal of this one request, a cancelled call).
 *
 * @example
 * ```ts
 * milvusFailure(err, { address: '127.0.0.1:19530', phase: 'connect', timeoutMs: 10_000 })?.message
 * // 'cannot reach Milvus at 127.0.0.1:19530: connection refused (is it running? MILVUS_ADDRESS / memory.milvus.address)'
 * ```
 */
export function milvusFailure (err: unknown, at: { address: string, phase: MilvusPhase, timeoutMs: number }): EndpointError | undefined {
  if (err instanceof EndpointError) return err
  if (err == null || typeof err !== 'object') return undefined
  const e = err as { code?: unknown, details?: unknown, message?: unknown }
  const code = typeof e.code === 'number' ? e.code : undefined
  const said = details(e)
  const raw = typeof e.message === 'string' ? e.message : undefined
  const make = (reason: string, hint: string | undefined, unreachable = true): EndpointError =>
    new EndpointError({ endpoint: 'milvus', address: at.address, reason, unreachable, hint, detail: raw })
  if (code === GRPC.DEADLINE_EXCEEDED) {
    return make(`no answer within ${at.timeoutMs} ms`, at.phase === 'connect' ? `${RUNNING_HINT}; memory.milvus.connectTimeoutMs sets the wait` : 'memory.milvus.requestTimeoutMs sets the wait')
  }
  if (code === GRPC.UNAUTHENTICATED) return make(`the credentials were refused: ${said}`, CREDENTIALS_HINT, false)
  if (code === GRPC.PERMISSION_DENIED) return make(`access denied: ${said}`, CREDENTIALS_HINT, false)
  if (code === GRPC.UNAVAILABLE || (code === GRPC.INTERNAL && /RST_STREAM|Connection dropped/i.test(said)) || (code == null && networkCause(err) != null)) {
    if (/Protocol error/i.test(said)) return make('it answers, but not with gRPC', PORT_HINT, false)
    if (/SSL routines|wrong version number|EPROTO|certificate/i.test(said)) return make(`TLS failed: ${said.replace(/^.*SSL routines:[^:]*:/, '').replace(/:.*$/, '')}`, 'memory.milvus.tls must match the server', false)
    const cause = networkCause(err)
    // a socket closed before the HTTP/2 handshake: grpc-js says "Failed to connect", or the socket's ECONNRESET
    if (/^Failed to connect/i.test(said) || (at.phase === 'connect' && cause === 'the connection was closed before an answer')) {
      return make('the connection was closed at once', `${PORT_HINT} does it expect TLS (memory.milvus.tls)?`)
    }
    if (cause === 'malformed address') return make(`malformed address, ${EXPECTED}`, ADDRESS_HINT, false)
    if (cause != null) return make(cause, at.phase === 'connect' ? RUNNING_HINT : undefined)
    if (/Connection dropped|RST_STREAM|GOAWAY/i.test(said)) return make('the connection was lost', at.phase === 'connect' ? RUNNING_HINT : undefined)
    // "No connection established. Last error: null": the client has no connection and no socket error to tell
    return make(said === '' || said === 'null' ? 'no connection' : said, at.phase === 'connect' ? RUNNING_HINT : undefined)
  }
  return undefined
}

/** A server whose answer to Connect is not a Milvus 2.x handshake. */
export function notMilvus (address: string): EndpointError {
  return new EndpointError({ endpoint: 'milvus', address, reason: 'it answers, but not as Milvus 2.5 or later', hint: PORT_HINT })
}
