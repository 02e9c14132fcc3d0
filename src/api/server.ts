import { createServer, STATUS_CODES } from 'node:http'
import { z } from 'zod'
import { presentedToken, sameToken, UNAUTHORIZED } from './auth.js'
import { checkBodyHeaders, readBody } from './body.js'
import { toApiError } from './error-map.js'
import { ApiError } from './errors.js'
import { EventStream, parseEventFilter, refuseUpgrade } from './events-ws.js'
import { ModSockets } from './mod-sockets.js'
import { ApiClient } from './client.js'
import { MCP_PATH, McpHttpEndpoint } from '../gateway/mcp/http.js'
import { answerMetrics, METRICS_PATH } from '../metrics/endpoint.js'
import { ApiRejections } from './rejections.js'
import { Router } from './router.js'
import { networkRoutes } from './routes/network.js'
import { checkHost, checkOrigin } from './same-origin.js'
import { DEFAULT_API_TIMEOUTS } from './timeouts.js'
import { requireOwnOrigin, STUDIO_PATH, StudioEndpoint } from './studio/endpoint.js'
import { PACKAGE_ROOT } from '../version.js'
import { join } from 'node:path'
import type { ApiRejectionCounts } from './rejections.js'
import type { ApiTimeouts } from './timeouts.js'
import type { Logger } from '../log/index.js'
import type { NodeStatus, OaNode } from '../node/oa-node.js'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'

export interface ApiServerInit {
  node: OaNode
  /** Every request must carry it as `Authorization: Bearer <token>` (or, on `WS /v1/events`, as the subprotocol `oa-token.<token>`). */
  token: string
  /** 0 = any free port. The server binds 127.0.0.1 only. */
  port: number
  logger?: Logger
  /** Bounds on slow clients; DEFAULT_API_TIMEOUTS for what is not given. */
  timeouts?: Partial<ApiTimeouts>
  /** The built Studio served at /studio/; `<package>/dist/studio` unless given. */
  studioDir?: string
}

/** What `GET /v1/status` answers: the node's status and the control API's own. */
export interface StatusAnswer extends NodeStatus {
  api: {
    /** Requests and connections the API refused, by reason. */
    rejected: ApiRejectionCounts
  }
}

/** Methods that change nothing: a Studio page may send them on its cookie alone. */
const SAFE_METHODS = new Set(['GET', 'HEAD'])

/** The loopback address the control API binds; it is never exposed to the network. */
export const API_HOST = '127.0.0.1'

function errorBody (err: ApiError): string {
  return JSON.stringify({ error: { code: err.code, message: err.message } })
}

function send (res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {})
  })
  res.end(text)
}

/** Answers a connection whose request Node could not take (too slow, headers too large, not HTTP), then closes it. */
function answerRaw (socket: Duplex, err: ApiError): void {
  const body = errorBody(err)
  socket.write(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}

function clientErrorOf (err: NodeJS.ErrnoException): ApiError | undefined {
  switch (err.code) {
    case 'ECONNRESET': return undefined
    case 'ERR_HTTP_REQUEST_TIMEOUT': return new ApiError(408, 'request_timeout', 'the request was not received in time; the connection is closed')
    case 'HPE_HEADER_OVERFLOW': return new ApiError(431, 'headers_too_large', 'the request headers are too large')
    default: return new ApiError(400, 'bad_http', `the request is not valid HTTP (${err.code ?? err.message})`)
  }
}

const dialBody = z.strictObject({ multiaddr: z.string().min(1) })

/** What `GET /v1/mods` lists for each mod the node runs. */
export interface ModJson {
  name: string
  description?: string
  builtin: boolean
  module?: string
  needs: string[]
  events: Array<{ type: string, carrier: string, history: boolean, description?: string }>
  topics: string[]
  protocols: string[]
  commands: string[]
}

function modsJson (node: OaNode): ModJson[] {
  return node.mods.mods.map(({ mod, builtin, module }) => ({
    name: mod.name,
    ...(mod.description == null ? {} : { description: mod.description }),
    builtin,
    ...(module == null ? {} : { module }),
    needs: mod.needs ?? [],
    events: (mod.events ?? []).map(e => ({ type: e.type, carrier: e.carrier ?? 'channel', history: e.history !== false, ...(e.description == null ? {} : { description: e.description }) })),
    topics: mod.topics ?? [],
    protocols: mod.protocols ?? [],
    commands: (mod.cli ?? []).map(c => c.name)
  }))
}

/** The routes of the control API: the node's own, then each mod's. */
export function buildRoutes (node: OaNode, rejections = new ApiRejections()): Router {
  const router = new Router()
    .get('/v1/status', () => Promise.resolve<StatusAnswer>({ ...node.status(), api: { rejected: rejections.counts() } }))
    .get('/v1/peers', async () => ({ peers: await node.peers() }))
    .post('/v1/peers', async ({ req, signal }) => {
      const { multiaddr } = await readBody(req, dialBody)
      return { peer: await node.dial(multiaddr, signal) }
    })
    .delete('/v1/peers/:id', async ({ params }) => ({ disconnected: await node.hangUp(params.id ?? '') }))
    .get('/v1/mods', () => Promise.resolve({ mods: modsJson(node) }))
  networkRoutes(router, node)
  for (const { mod } of node.mods.mods) {
    mod.routes?.(router, { service: node.service<unknown>(mod.name), node, body: readBody })
  }
  return router
}

/**
 * The local control API: HTTP on 127.0.0.1, token required. The CLI talks to a running
 * node through it. It answers only to its own Host and to requests without a foreign
 * Origin, takes JSON bodies only, and closes slow clients; every refusal is counted
 * in `GET /v1/status` under `api.rejected`.
 *
 * @example
 * ```ts
 * const api = new ApiServer({ node, token, port: 0 })
 * const url = await api.start()   // http://127.0.0.1:39211
 * await api.stop()
 * ```
 */
export class ApiServer {
  private readonly init: ApiServerInit
  private readonly router: Router
  private readonly timeouts: ApiTimeouts
  private readonly rejections = new ApiRejections()
  private server?: Server
  private port = 0
  private readonly controller = new AbortController()
  private readonly events: EventStream
  private readonly sockets: ModSockets
  /** MCP over Streamable HTTP at /mcp: its tools call this API. */
  private readonly mcp: McpHttpEndpoint
  /** The Studio web app and its sign-in at /studio/. */
  private readonly studio: StudioEndpoint
  /** Connections with a request being answered: a client error there must not write a second response into it. */
  private readonly answering = new WeakSet<Duplex>()

  constructor (init: ApiServerInit) {
    this.init = init
    this.timeouts = { ...DEFAULT_API_TIMEOUTS, ...init.timeouts }
    this.router = buildRoutes(init.node, this.rejections)
    this.events = new EventStream(init.node)
    this.sockets = new ModSockets(init.node)
    this.studio = new StudioEndpoint({ token: init.token, dir: init.studioDir ?? join(PACKAGE_ROOT, 'dist', 'studio'), port: () => this.port })
    init.node.metrics?.countRejections('api', () => this.rejections.counts().byReason)
    this.mcp = new McpHttpEndpoint(() => new ApiClient({ url: this.url(), pid: process.pid, peerId: init.node.peerId.toString(), version: '' }, init.token), (reason) => { this.rejections.count(reason) })
  }

  /** Listens and returns the base URL. */
  async start (): Promise<string> {
    const { headersMs, requestMs, keepAliveMs } = this.timeouts
    const server = createServer({
      headersTimeout: headersMs,
      requestTimeout: requestMs,
      keepAliveTimeout: keepAliveMs,
      // Node checks the two timeouts above at this interval (30 s by default)
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersMs / 4))),
      // a request without Host is refused by checkHost, counted and named
      requireHostHeader: false
    }, (req, res) => { void this.handle(req, res) })
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => { this.handleUpgrade(req, socket, head) })
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => { this.onClientError(err, socket) })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.init.port, API_HOST, () => {
        server.off('error', reject)
        resolve()
      })
    }).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE') throw new ApiError(0, 'port_in_use', `cannot start the control API: port ${this.init.port} on ${API_HOST} is already in use; choose another with --api-port (0 picks a free one)`)
      throw err
    })
    this.port = (server.address() as AddressInfo).port
    return this.url()
  }

  url (): string {
    const address = this.server?.address() as AddressInfo | null | undefined
    if (address == null) throw new Error('the API server is not listening')
    return `http://${API_HOST}:${address.port}`
  }

  /** Refusals so far, by reason (also in `GET /v1/status` under `api.rejected`). */
  rejected (): ApiRejectionCounts {
    return this.rejections.counts()
  }

  async stop (): Promise<void> {
    this.controller.abort()
    const server = this.server
    if (server == null) return
    this.server = undefined
    this.events.close()
    this.sockets.close()
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => { resolve() }))
  }

  /** The checks every request passes before a route sees it; ApiError naming the first that fails. */
  private admit (req: IncomingMessage, url: URL, websocket: boolean): void {
    checkHost(req, this.port)
    checkOrigin(req, this.port)
    const token = presentedToken(req, url, { websocket })
    if (token != null) {
      if (!sameToken(token, this.init.token)) throw UNAUTHORIZED
    } else if (this.studio.signedIn(req)) {
      // a Studio page's session cookie: what changes something, and every WebSocket, must name this node's page as its Origin
      if (websocket || !SAFE_METHODS.has(req.method ?? 'GET')) requireOwnOrigin(req)
    } else {
      throw UNAUTHORIZED
    }
    if (!websocket) checkBodyHeaders(req)
  }

  private handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => { socket.destroy() })
    const url = new URL(req.url ?? '/', `http://${API_HOST}`)
    const refuse = (err: unknown): void => {
      const apiError = toApiError(err) ?? new ApiError(400, 'bad_request', (err as Error).message)
      if (apiError.status < 500) this.rejections.count(apiError.code)
      refuseUpgrade(socket, apiError)
    }
    try {
      if (this.sockets.has(url.pathname)) {
        this.upgradeModSocket(req, socket, head, url).catch(refuse)
        return
      }
      this.admit(req, url, true)
      if (url.pathname !== '/v1/events') throw new ApiError(404, 'not_found', `no WebSocket endpoint at ${url.pathname} (use ${['/v1/events', ...this.sockets.paths()].join(' or ')})`)
      this.events.upgrade(req, socket, head, parseEventFilter(url, this.init.node))
    } catch (err) {
      refuse(err)
    }
  }

  /** A mod's endpoint also takes tokens of its own (a per-agent token): it is asked about any token but the API's. */
  private async upgradeModSocket (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    checkHost(req, this.port)
    checkOrigin(req, this.port)
    const subprotocol = this.sockets.subprotocol(url.pathname)
    const token = presentedToken(req, url, { websocket: true, subprotocol })
    if (token == null) throw UNAUTHORIZED
    await this.sockets.upgrade(req, socket, head, url, sameToken(token, this.init.token) ? undefined : token)
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${API_HOST}`)
    this.answering.add(req.socket)
    const bodyTimer = setTimeout(() => { this.onSlowBody(req, res) }, this.timeouts.bodyMs)
    res.once('close', () => {
      clearTimeout(bodyTimer)
      this.answering.delete(req.socket)
    })
    try {
      if (url.pathname === STUDIO_PATH || url.pathname.startsWith(`${STUDIO_PATH}/`)) {
        checkHost(req, this.port)
        checkOrigin(req, this.port)
        await this.studio.handle(req, res, url)
        return
      }
      this.admit(req, url, false)
      if (url.pathname === MCP_PATH) {
        await this.mcp.handle(req, res)
        return
      }
      if (url.pathname === METRICS_PATH) {
        await answerMetrics(req, res, this.init.node.metrics)
        return
      }
      const { handler, params, status } = this.router.match(req.method ?? 'GET', url.pathname)
      const body = await handler({ req, url, params, signal: this.controller.signal })
      send(res, status, body)
    } catch (err) {
      // the answer is gone already (a body that timed out): nothing is left to say
      if (res.headersSent || res.destroyed) return
      const apiError = toApiError(err)
      if (apiError != null) {
        if (apiError.status < 500) this.rejections.count(apiError.code)
        // a refused request's unread body is not waited for
        send(res, apiError.status, { error: { ...apiError.details, code: apiError.code, message: apiError.message } }, !req.complete)
        return
      }
      this.init.logger?.error({ err, path: url.pathname }, 'API request failed')
      send(res, 500, { error: { code: 'internal', message: (err as Error).message } })
    }
  }

  private onSlowBody (req: IncomingMessage, res: ServerResponse): void {
    if (req.complete) return
    this.rejections.count('body_timeout')
    const err = new ApiError(408, 'body_timeout', `the request body did not arrive within ${this.timeouts.bodyMs} ms; the connection is closed`)
    if (res.headersSent) {
      req.socket.destroy()
      return
    }
    res.writeHead(err.status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' })
    res.end(errorBody(err), () => { req.socket.destroy() })
  }

  private onClientError (err: NodeJS.ErrnoException, socket: Duplex): void {
    const apiError = clientErrorOf(err)
    if (apiError != null) {
      this.rejections.count(apiError.code)
      if (socket.writable && !this.answering.has(socket)) answerRaw(socket, apiError)
    }
    socket.destroy()
  }
}
