import { timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { toApiError } from './error-map.js'
import { ApiError } from './errors.js'
import { EventStream, parseEventFilter, refuseUpgrade } from './events-ws.js'
import { Router } from './router.js'
import { agentRoutes } from './routes/agents.js'
import { z } from 'zod'
import { readBody } from './body.js'
import { channelRoutes } from './routes/channels.js'
import { memoryRoutes } from './routes/memory.js'
import type { OaNode } from '../node/oa-node.js'
import type { Logger } from '../log/index.js'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'

export interface ApiServerInit {
  node: OaNode
  /** Every request must carry it as `Authorization: Bearer <token>`. */
  token: string
  /** 0 = any free port. The server binds 127.0.0.1 only. */
  port: number
  logger?: Logger
}

/** The loopback address the control API binds; it is never exposed to the network. */
export const API_HOST = '127.0.0.1'

function sameToken (given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function bearer (req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization
  if (header?.startsWith('Bearer ') === true) return header.slice('Bearer '.length).trim()
  return url.searchParams.get('token') ?? undefined
}

const UNAUTHORIZED = new ApiError(401, 'unauthorized', 'missing or wrong API token: send "Authorization: Bearer <token>" with the token from <dataDir>/api.token')

function send (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

const dialBody = z.strictObject({ multiaddr: z.string().min(1) })

/** The routes of the control API; later services add theirs here. */
export function buildRoutes (node: OaNode): Router {
  const router = new Router()
    .get('/v1/status', () => Promise.resolve(node.status()))
    .get('/v1/peers', async () => ({ peers: await node.peers() }))
    .post('/v1/peers', async ({ req, signal }) => {
      const { multiaddr } = await readBody(req, dialBody)
      return { peer: await node.dial(multiaddr, signal) }
    })
    .delete('/v1/peers/:id', async ({ params }) => ({ disconnected: await node.hangUp(params.id ?? '') }))
  return memoryRoutes(agentRoutes(channelRoutes(router, node), node), node)
}

/**
 * The local control API: HTTP on 127.0.0.1, token required. The CLI talks to a running
 * node through it.
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
  private server?: Server
  private readonly controller = new AbortController()
  private readonly events: EventStream

  constructor (init: ApiServerInit) {
    this.init = init
    this.router = buildRoutes(init.node)
    this.events = new EventStream(init.node)
  }

  /** Listens and returns the base URL. */
  async start (): Promise<string> {
    const server = createServer((req, res) => { void this.handle(req, res) })
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => { this.handleUpgrade(req, socket, head) })
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
    return this.url()
  }

  url (): string {
    const address = this.server?.address() as AddressInfo | null | undefined
    if (address == null) throw new Error('the API server is not listening')
    return `http://${API_HOST}:${address.port}`
  }

  async stop (): Promise<void> {
    this.controller.abort()
    const server = this.server
    if (server == null) return
    this.server = undefined
    this.events.close()
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => { resolve() }))
  }

  private authorized (req: IncomingMessage, url: URL): boolean {
    const token = bearer(req, url)
    return token != null && sameToken(token, this.init.token)
  }

  private handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => { socket.destroy() })
    const url = new URL(req.url ?? '/', `http://${API_HOST}`)
    try {
      if (!this.authorized(req, url)) throw UNAUTHORIZED
      if (url.pathname !== '/v1/events') throw new ApiError(404, 'not_found', `no WebSocket endpoint at ${url.pathname} (use /v1/events)`)
      this.events.upgrade(req, socket, head, parseEventFilter(url, this.init.node))
    } catch (err) {
      refuseUpgrade(socket, err instanceof ApiError ? err : new ApiError(400, 'bad_request', (err as Error).message))
    }
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${API_HOST}`)
    try {
      if (!this.authorized(req, url)) throw UNAUTHORIZED
      const { handler, params, status } = this.router.match(req.method ?? 'GET', url.pathname)
      const body = await handler({ req, url, params, signal: this.controller.signal })
      send(res, status, body)
    } catch (err) {
      const apiError = toApiError(err)
      if (apiError != null) {
        send(res, apiError.status, { error: { ...apiError.details, code: apiError.code, message: apiError.message } })
        return
      }
      this.init.logger?.error({ err, path: url.pathname }, 'API request failed')
      send(res, 500, { error: { code: 'internal', message: (err as Error).message } })
    }
  }
}
