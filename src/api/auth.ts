import { createHash, timingSafeEqual } from 'node:crypto'
import { ApiError } from './errors.js'
import type { IncomingMessage } from 'node:http'

/** The subprotocol `WS /v1/events` answers with, and that a client must offer. */
export const EVENTS_SUBPROTOCOL = 'oa-events'
/** A WebSocket client that cannot set headers offers the token as the subprotocol `oa-token.<token>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'oa-token.'

const WHERE = 'send "Authorization: Bearer <token>" with the token from <dataDir>/api.token'

/** 401: the token is missing or wrong. */
export const UNAUTHORIZED = new ApiError(401, 'unauthorized', `missing or wrong API token: ${WHERE}`)

/** Compares in time that depends on neither token (digests of equal length). */
export function sameToken (given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** The subprotocols a WebSocket client offers, in its order. */
export function offeredSubprotocols (req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol']
  if (header == null) return []
  return header.split(',').map(p => p.trim()).filter(p => p !== '')
}

/**
 * The token a request carries: `Authorization: Bearer <token>` (the scheme in any case)
 * or, on a WebSocket upgrade, the subprotocol `oa-token.<token>` offered next to
 * `oa-events` (or the subprotocol of a mod's endpoint). A token in the query string is refused (it ends up in logs and browser
 * history), naming where it goes.
 *
 * @example
 * ```ts
 * const token = presentedToken(req, url, { websocket: false })
 * if (token == null || !sameToken(token, expected)) throw UNAUTHORIZED
 * ```
 */
export function presentedToken (req: IncomingMessage, url: URL, options: { websocket: boolean, subprotocol?: string }): string | undefined {
  const answered = options.subprotocol ?? EVENTS_SUBPROTOCOL
  if (url.searchParams.has('token')) {
    throw new ApiError(400, 'token_in_query', `the API token is not accepted in the query string; ${WHERE}${options.websocket ? `, or offer the WebSocket subprotocols "${answered}" and "${TOKEN_SUBPROTOCOL_PREFIX}<token>"` : ''}`)
  }
  const header = req.headers.authorization
  if (header != null) {
    const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
    if (match == null) throw new ApiError(401, 'unauthorized', `the Authorization header is not "Bearer <token>"; ${WHERE}`)
    return match[1]
  }
  if (!options.websocket) return undefined
  const offered = offeredSubprotocols(req)
  const tokens = offered.filter(p => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
  if (tokens.length === 0) return undefined
  if (tokens.length > 1) throw new ApiError(400, 'bad_subprotocol', `more than one "${TOKEN_SUBPROTOCOL_PREFIX}" subprotocol offered; offer one`)
  if (!offered.includes(answered)) {
    throw new ApiError(400, 'bad_subprotocol', `a client that sends its token as a subprotocol must also offer "${answered}", which the server answers with`)
  }
  return tokens[0]?.slice(TOKEN_SUBPROTOCOL_PREFIX.length)
}
