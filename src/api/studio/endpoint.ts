import { z } from 'zod'
import { presentedToken, sameToken, UNAUTHORIZED } from '../auth.js'
import { checkBodyHeaders, readBody } from '../body.js'
import { ApiError } from '../errors.js'
import { cookieValue, sessionCookie, sessionCookieName } from './cookie.js'
import { SESSION_IDLE_MS, StudioSessions } from './sessions.js'
import { StudioFiles } from './static-files.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Where the Studio is served on the API port. */
export const STUDIO_PATH = '/studio'

const signInBody = z.union([
  z.strictObject({ token: z.string().min(1).max(200) }),
  z.strictObject({ code: z.string().min(1).max(200) })
])

/** What the browser may load and talk to: only this node, nothing from other sites, no framing. */
function securityHeaders (port: number): Record<string, string> {
  return {
    'content-security-policy': `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store'
  }
}

function sendJson (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers })
  res.end(text)
}

function sendHtml (res: ServerResponse, status: number, text: string, port: number): void {
  const html = `<!doctype html><meta charset="utf-8"><title>oa-node Studio</title><p>${text}</p>`
  res.writeHead(status, { ...securityHeaders(port), 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) })
  res.end(html)
}

export interface StudioEndpointInit {
  /** The API token: presenting it signs a browser in. */
  token: string
  /** The built front-end's folder. */
  dir: string
  /** The API's port (cookie names and the allowed WebSocket origins carry it). */
  port: () => number
}

/**
 * The Studio on the API port: the built web app under `/studio/`, and its sign-in.
 * `POST /studio/session` takes the API token or a one-time code and answers with an
 * HttpOnly, SameSite=Strict session cookie; `GET /studio/sign-in?code=` does the same
 * for the link `oa-node studio` opens, then sends the browser on to `/studio/`;
 * `POST /studio/codes` (API token only) issues such a code. The token itself never
 * goes into a URL.
 *
 * @example
 * ```ts
 * const studio = new StudioEndpoint({ token, dir: 'dist/studio', port: () => 7780 })
 * if (url.pathname.startsWith(STUDIO_PATH)) await studio.handle(req, res, url)
 * studio.signedIn(req)   // true when the request carries a live session cookie
 * ```
 */
export class StudioEndpoint {
  private readonly init: StudioEndpointInit
  private readonly sessions = new StudioSessions()
  private readonly files: StudioFiles

  constructor (init: StudioEndpointInit) {
    this.init = init
    this.files = new StudioFiles(init.dir)
  }

  /** True when the request carries the cookie of a live Studio session of this node. */
  signedIn (req: IncomingMessage): boolean {
    const id = cookieValue(req, sessionCookieName(this.init.port()))
    return id != null && this.sessions.valid(id)
  }

  /** Answers a request below `/studio`; throws ApiError for the caller to send and count. */
  async handle (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.searchParams.has('token')) throw new ApiError(400, 'token_in_query', 'the API token is not accepted in a URL; sign in with the form, or open the link that "oa-node studio" prints')
    const method = req.method ?? 'GET'
    const path = url.pathname
    if (path === '/studio/session') return await this.session(method, req, res)
    if (path === '/studio/session/end') return this.endSession(method, req, res)
    if (path === '/studio/codes') return this.issueCode(method, req, res, url)
    if (path === '/studio/sign-in') return this.signInLink(method, res, url)
    if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'method_not_allowed', `${method} is not supported on ${path}`)
    if (path === STUDIO_PATH) {
      res.writeHead(308, { location: `${STUDIO_PATH}/`, 'content-length': 0 })
      res.end()
      return
    }
    const file = await this.files.get(path.slice(STUDIO_PATH.length + 1))
    res.writeHead(200, {
      ...securityHeaders(this.init.port()),
      'content-type': file.contentType,
      'content-length': file.body.length,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
    })
    res.end(method === 'HEAD' ? undefined : file.body)
  }

  private async session (method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'GET') {
      if (!this.signedIn(req)) throw new ApiError(401, 'unauthorized', 'not signed in to the Studio: POST /studio/session with {"token"} (the token in <dataDir>/api.token)')
      sendJson(res, 200, { signedIn: true })
      return
    }
    if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', `${method} is not supported on /studio/session`)
    requireOwnOrigin(req)
    checkBodyHeaders(req)
    const body = await readBody(req, signInBody)
    let id: string | undefined
    if ('token' in body) {
      if (!sameToken(body.token, this.init.token)) throw new ApiError(401, 'unauthorized', 'wrong API token: paste the token from <dataDir>/api.token')
      id = this.sessions.open()
    } else {
      id = this.sessions.redeemCode(body.code)
      if (id == null) throw new ApiError(401, 'bad_code', 'this sign-in code is unknown, used or expired; run "oa-node studio" for a new one')
    }
    sendJson(res, 200, { signedIn: true }, { 'set-cookie': sessionCookie(this.init.port(), id, SESSION_IDLE_MS / 1000) })
  }

  private endSession (method: string, req: IncomingMessage, res: ServerResponse): void {
    if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', `${method} is not supported on /studio/session/end`)
    requireOwnOrigin(req)
    const id = cookieValue(req, sessionCookieName(this.init.port()))
    if (id != null) this.sessions.end(id)
    sendJson(res, 200, { signedIn: false }, { 'set-cookie': sessionCookie(this.init.port(), '', 0) })
  }

  private issueCode (method: string, req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', `${method} is not supported on /studio/codes`)
    // a code is issued to a holder of the API token only, never to a signed-in page
    const token = presentedToken(req, url, { websocket: false })
    if (token == null || !sameToken(token, this.init.token)) throw UNAUTHORIZED
    const { code, expiresAt } = this.sessions.issueCode()
    const link = `http://127.0.0.1:${this.init.port()}${STUDIO_PATH}/sign-in?code=${code}`
    sendJson(res, 201, { code, expiresAt: new Date(expiresAt).toISOString(), url: link })
  }

  private signInLink (method: string, res: ServerResponse, url: URL): void {
    if (method !== 'GET') throw new ApiError(405, 'method_not_allowed', `${method} is not supported on /studio/sign-in`)
    const id = this.sessions.redeemCode(url.searchParams.get('code') ?? '')
    if (id == null) {
      sendHtml(res, 401, 'This sign-in link is unknown, used or expired. Run <code>oa-node studio</code> again, or sign in at <a href="/studio/">/studio/</a> with the token from <code>&lt;dataDir&gt;/api.token</code>.', this.init.port())
      return
    }
    res.writeHead(303, { location: `${STUDIO_PATH}/`, 'set-cookie': sessionCookie(this.init.port(), id, SESSION_IDLE_MS / 1000), 'content-length': 0, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
    res.end()
  }
}

/**
 * A browser's request that changes something must say where it comes from: a page of
 * this node sends `Origin` (checkOrigin has checked its value); a request without one
 * on a cookie is refused, so no other page can ride on the session.
 */
export function requireOwnOrigin (req: IncomingMessage): void {
  if (req.headers.origin == null && req.headers.authorization == null) {
    throw new ApiError(403, 'bad_origin', 'a Studio request that changes something must carry the Origin header of this node\'s page')
  }
}
