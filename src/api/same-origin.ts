import { ApiError } from './errors.js'
import type { IncomingMessage } from 'node:http'

/** The names a client on this machine reaches the API by; anything else is another site's name for 127.0.0.1 (DNS rebinding). */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]']

/**
 * Refuses a request whose `Host` is not the API's own address (`127.0.0.1:<port>`,
 * `localhost:<port>`, `[::1]:<port>`): a page of another site that rebinds its name to
 * 127.0.0.1 sends its own name there. 421 naming the host it got.
 *
 * @example
 * ```ts
 * checkHost(req, 7701)   // throws ApiError 421 bad_host for "Host: evil.example:7701"
 * ```
 */
export function checkHost (req: IncomingMessage, port: number): void {
  const host = (req.headers.host ?? '').toLowerCase()
  if (LOOPBACK_NAMES.some(name => host === `${name}:${port}`)) return
  throw new ApiError(421, 'bad_host', `the control API answers only to Host 127.0.0.1:${port} or localhost:${port}, not "${host.slice(0, 100)}"`)
}

/**
 * Refuses a request from a browser page of another origin. Requests without `Origin`
 * (curl, the CLI, any program) pass; a page's requests carry it, and only the node's
 * own (`http://127.0.0.1:<port>`, `http://localhost:<port>`) is accepted. 403 naming it.
 *
 * @example
 * ```ts
 * checkOrigin(req, 7701)   // throws ApiError 403 bad_origin for "Origin: https://evil.example"
 * ```
 */
export function checkOrigin (req: IncomingMessage, port: number): void {
  const origin = req.headers.origin
  if (origin == null) return
  if (LOOPBACK_NAMES.some(name => origin.toLowerCase() === `http://${name}:${port}`)) return
  throw new ApiError(403, 'bad_origin', `the control API refuses requests from web pages of other origins (got Origin "${origin.slice(0, 100)}"); only http://127.0.0.1:${port} is accepted`)
}
