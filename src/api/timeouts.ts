/**
 * How long the control API waits for a client before it closes the connection: a
 * client that sends its request slowly, or never finishes it, holds nothing for long.
 */
export interface ApiTimeouts {
  /** All request headers must have arrived this long after the request began (Node's `server.headersTimeout`). */
  headersMs: number
  /** The whole request, headers and body (Node's `server.requestTimeout`). */
  requestMs: number
  /** The body, from the moment its headers were read; answered 408 `body_timeout`. */
  bodyMs: number
  /** A kept-alive connection with no request is closed after this (Node's `server.keepAliveTimeout`). */
  keepAliveMs: number
}

/** Loopback clients send a request in milliseconds; these bounds only stop the slow and the stuck. */
export const DEFAULT_API_TIMEOUTS: ApiTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  bodyMs: 10_000,
  keepAliveMs: 5_000
}
