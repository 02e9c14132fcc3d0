import { createServer } from 'node:http'
import express from 'express'
import { DefaultRequestHandler } from '@a2a-js/sdk/server'
import { AgentCard } from '@a2a-js/sdk'
import { jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express'
import { sameToken } from '../../api/auth.js'
import { RejectionCounter } from '../../counts/rejection-counter.js'
import { a2aCardOf, agentPaths, cardSigner, JWKS_PATH, nodeJwk } from './card.js'
import { A2AListenError } from './errors.js'
import { DirectExecutor } from './executor.js'
import type { AskAgent, TaskSlots } from './executor.js'
import type { A2AStore } from './store.js'
import type { AgentStatus } from '../../agents/runtime.js'
import type { PrivateKey } from '@libp2p/interface'
import type { NextFunction, Request, Response, Router } from 'express'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A hosted agent as the gateway serves it. */
export interface ServedAgent extends Pick<AgentStatus, 'name' | 'community' | 'capabilities' | 'kind'> {
  description: string
}

export interface InboundGatewayInit {
  host: string
  port: number
  /** The base URL cards name; `http://<host>:<port>` when not given. */
  url?: string
  /** Clients send it as `Authorization: Bearer <token>`. */
  token: string
  /** Tasks run at once, over every agent. */
  maxRunningTasks: number
  peerId: string
  privateKey: PrivateKey
  store: A2AStore
  /** The running agent of that name, or undefined. */
  agent: (name: string) => ServedAgent | undefined
  /** A direct request to a local agent, as `oa-node ask` sends it. */
  ask: (agent: ServedAgent, payload: unknown, signal: AbortSignal) => Promise<unknown>
}

interface Endpoint {
  key: string
  router: Router
  executor: DirectExecutor
}

/** JSON-RPC's code for a task the server does not hold. */
const TASK_NOT_FOUND = -32001

const AUTHENTICATED = { isAuthenticated: true, userName: 'a2a-client' }

/** Why the gateway refused a request. */
export const INBOUND_REFUSALS = ['unauthorized', 'no_such_agent', 'not_found', 'bad_request', 'busy'] as const
export type InboundRefusal = typeof INBOUND_REFUSALS[number]

function refuse (res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).json({ error: { code, message } })
}

/**
 * The inbound A2A gateway: every agent the node hosts is an A2A 1.0 server under
 * `/agents/<name>/`: its signed card at `.well-known/agent-card.json` (public), the
 * JSON-RPC binding at `jsonrpc`, the HTTP+JSON binding at `rest`, both behind the bearer
 * token. Tasks are kept in `a2a.db`. Every refusal is counted by reason.
 *
 * @example
 * ```ts
 * const gateway = new InboundGateway({ host: '127.0.0.1', port: 7790, token, peerId, privateKey, store, agent, ask })
 * const url = await gateway.start()   // http://127.0.0.1:7790
 * await gateway.stop()
 * ```
 */
export class InboundGateway {
  readonly refused = new RejectionCounter<InboundRefusal>(INBOUND_REFUSALS)
  private readonly init: InboundGatewayInit
  private readonly endpoints = new Map<string, Endpoint>()
  private readonly slots: TaskSlots
  private running = 0
  private server?: Server
  private baseUrl = ''

  constructor (init: InboundGatewayInit) {
    this.init = init
    this.slots = {
      limit: init.maxRunningTasks,
      take: () => {
        if (this.running >= init.maxRunningTasks) return false
        this.running++
        return true
      },
      release: () => { this.running = Math.max(0, this.running - 1) }
    }
  }

  /** Listens and returns the base URL. */
  async start (): Promise<string> {
    const server = createServer(this.app())
    server.headersTimeout = 10_000
    server.requestTimeout = 30_000
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.init.port, this.init.host, () => {
        server.off('error', reject)
        resolve()
      })
    }).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE') throw new A2AListenError(`cannot start the A2A gateway: port ${this.init.port} on ${this.init.host} is already in use; choose another with --a2a-port (0 picks a free one)`, { cause: err })
      if (code === 'EADDRNOTAVAIL') throw new A2AListenError(`cannot start the A2A gateway: ${this.init.host} is not an address of this machine (--a2a-host)`, { cause: err })
      throw new A2AListenError(`cannot start the A2A gateway on ${this.init.host}:${this.init.port}: ${(err as Error).message}`, { cause: err })
    })
    const port = (server.address() as AddressInfo).port
    const host = this.init.host.includes(':') ? `[${this.init.host}]` : this.init.host
    this.baseUrl = (this.init.url ?? `http://${host}:${port}`).replace(/\/+$/, '')
    return this.baseUrl
  }

  get url (): string {
    return this.baseUrl
  }

  /** Tasks being answered now, over every agent. */
  get active (): number {
    return this.running
  }

  async stop (): Promise<void> {
    for (const endpoint of this.endpoints.values()) endpoint.executor.abortAll()
    this.endpoints.clear()
    const server = this.server
    if (server == null) return
    this.server = undefined
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => { resolve() }))
  }

  private app (): express.Express {
    const app = express()
    app.disable('x-powered-by')
    app.get(JWKS_PATH, (_req, res) => { res.json({ keys: [nodeJwk(this.init.privateKey, this.init.peerId)] }) })
    app.use('/agents/:name', (req, res, next) => {
      const name = req.params.name
      const endpoint = this.endpoint(name)
      if (endpoint == null) {
        this.refused.add('no_such_agent')
        refuse(res, 404, 'no_such_agent', `no agent named "${name}" runs on this node`)
        return
      }
      endpoint.router(req, res, next)
    })
    app.use((req, res) => {
      this.refused.add('not_found')
      refuse(res, 404, 'not_found', `nothing at ${req.path}: agents are at /agents/<name>/ (card: /agents/<name>/.well-known/agent-card.json)`)
    })
    // a body that is not JSON, or any other error a handler did not answer: JSON, never a stack trace
    app.use((err: Error & { status?: number, type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) {
        next(err)
        return
      }
      const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500
      if (status < 500) this.refused.add('bad_request')
      refuse(res, status, status < 500 ? 'bad_request' : 'internal', err.message)
    })
    return app
  }

  private readonly authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization
    const match = header == null ? null : /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
    if (match?.[1] == null || !sameToken(match[1], this.init.token)) {
      this.refused.add('unauthorized')
      refuse(res, 401, 'unauthorized', `missing or wrong token: send "Authorization: Bearer <token>" with the token in the node's <data dir>/a2a.token`, { 'www-authenticate': 'Bearer realm="oa-node a2a"' })
      return
    }
    next()
  }

  /**
   * Counts what the SDK's handlers refuse: a 4xx answer of the HTTP+JSON binding, and a
   * JSON-RPC error answer (which HTTP carries as 200).
   */
  private readonly countRefusals = (_req: Request, res: Response, next: NextFunction): void => {
    const json = res.json.bind(res)
    res.json = (body: unknown) => {
      const code = (body as { error?: { code?: unknown } } | null)?.error?.code
      if (typeof code === 'number' && code < 0) this.refused.add(code === TASK_NOT_FOUND ? 'not_found' : 'bad_request')
      return json(body)
    }
    res.once('finish', () => {
      if (res.statusCode >= 400 && res.statusCode < 500) this.refused.add(res.statusCode === 404 ? 'not_found' : 'bad_request')
    })
    next()
  }

  /** The A2A server of a running agent, rebuilt when its card would change. */
  private endpoint (name: string): Endpoint | undefined {
    const agent = this.init.agent(name)
    if (agent == null) {
      this.endpoints.get(name)?.executor.abortAll()
      this.endpoints.delete(name)
      return undefined
    }
    const key = JSON.stringify([agent.community, agent.capabilities, agent.kind, agent.description])
    const known = this.endpoints.get(name)
    if (known?.key === key) return known
    const ask: AskAgent = async (payload, signal) => this.init.ask(agent, payload, signal)
    const executor = new DirectExecutor(ask, this.slots, () => { this.refused.add('busy') })
    const card = a2aCardOf(agent, this.baseUrl, agent.description)
    const signer = cardSigner(this.init.privateKey, this.init.peerId, `${this.baseUrl}${JWKS_PATH}`)
    const handler = new DefaultRequestHandler(card, this.init.store.tasksOf(name), executor, undefined, undefined, undefined, undefined, signer)
    const paths = agentPaths(name)
    const router = express.Router()
    // the card in its JSON form (the SDK's own card handler writes the in-memory form, whose security schemes no other client reads)
    router.get(paths.card.slice(paths.base.length), (_req, res, next) => {
      handler.getAgentCard().then(signed => {
        res.set('cache-control', 'public, max-age=60').json(AgentCard.toJSON(signed))
      }, next)
    })
    router.use(this.authenticate, this.countRefusals)
    router.use('/jsonrpc', jsonRpcHandler({ requestHandler: handler, userBuilder: async () => AUTHENTICATED }))
    router.use('/rest', restHandler({ requestHandler: handler, userBuilder: async () => AUTHENTICATED }))
    known?.executor.abortAll()
    const endpoint = { key, router, executor }
    this.endpoints.set(name, endpoint)
    return endpoint
  }
}
