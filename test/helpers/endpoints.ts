import { createServer as createHttpServer } from 'node:http'
import { createServer as createHttp2Server } from 'node:http2'
import { createServer as createNetServer, connect } from 'node:net'
import type { Server as HttpServer } from 'node:http'
import type { Http2Server } from 'node:http2'
import type { AddressInfo, Server as NetServer, Socket } from 'node:net'

/** Stand-ins for the external endpoints a node uses (Milvus, an embeddings endpoint), on 127.0.0.1, for tests of how the node fails. */

type AnyServer = NetServer | HttpServer | Http2Server

async function listen (server: AnyServer, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  return (server.address() as AddressInfo).port
}

/** A running stand-in: its port, and a close that leaves nothing open. */
export interface StandIn {
  port: number
  address: string
  close: () => Promise<void>
}

/** Closes a server and every connection it holds. */
async function closeAll (server: AnyServer, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy()
  await new Promise<void>(resolve => { server.close(() => { resolve() }) })
}

function track (server: AnyServer): Set<Socket> {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  return sockets
}

async function standIn (server: AnyServer): Promise<StandIn> {
  const sockets = track(server)
  const port = await listen(server)
  return { port, address: `127.0.0.1:${port}`, close: async () => closeAll(server, sockets) }
}

/** A loopback port nothing listens on: bound, then closed (a connection to it is refused). */
export async function refusedPort (): Promise<number> {
  const server = createNetServer()
  const port = await listen(server)
  await new Promise<void>(resolve => { server.close(() => { resolve() }) })
  return port
}

/** A TCP server that accepts each connection and closes it at once. */
export async function closingServer (): Promise<StandIn> {
  return standIn(createNetServer((socket) => { socket.destroy() }))
}

/** A TCP server that accepts connections and never says anything. */
export async function silentServer (): Promise<StandIn> {
  return standIn(createNetServer(() => {}))
}

/** An HTTP/1.1 server answering every request with `status`, `type` and `body`. */
export async function httpServer (status: number, type: string, body: string): Promise<StandIn> {
  return standIn(createHttpServer((req, res) => {
    req.resume()
    res.writeHead(status, { 'content-type': type })
    res.end(body)
  }))
}

/**
 * A gRPC server that refuses every call as a Milvus with authentication on refuses a wrong
 * token: status 16 (UNAUTHENTICATED) with Milvus's message, in a trailers-only answer.
 */
export async function refusingGrpcServer (message = 'auth check failure, please check username and password are correct'): Promise<StandIn> {
  const server = createHttp2Server()
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': message }, { endStream: true })
  })
  return standIn(server)
}

/** A deterministic 8-dimensional vector for a text. */
function vectorOf (text: string): number[] {
  const v = Array.from({ length: 8 }, (_, i) => ((text.charCodeAt(i % Math.max(1, text.length)) || 1) % 17) + i + 1)
  const norm = Math.hypot(...v)
  return v.map(x => x / norm)
}

/**
 * An OpenAI-compatible embeddings endpoint (`POST /v1/embeddings`, float vectors of 8
 * dimensions) that can be stopped and started again on the same port, to play an
 * endpoint that goes away while a node runs and comes back.
 */
export class EmbeddingsServer {
  /** Requests answered with embeddings. */
  answered = 0
  private server?: HttpServer
  private sockets = new Set<Socket>()
  private boundPort = 0

  get url (): string {
    return `http://127.0.0.1:${this.boundPort}/v1`
  }

  /** Listens (on the port it had before, after a stop). */
  async start (): Promise<void> {
    const server = createHttpServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => { body += d.toString() })
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
          res.writeHead(404, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ error: { message: `no route ${req.url ?? ''}` } }))
          return
        }
        const { input, model } = JSON.parse(body) as { input: string[], model: string }
        this.answered++
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ object: 'list', model, data: input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) })), usage: { prompt_tokens: 1, total_tokens: 1 } }))
      })
    })
    this.sockets = track(server)
    this.boundPort = await listen(server, this.boundPort)
    this.server = server
  }

  /** Stops listening and drops every connection: calls to it are refused. */
  async stop (): Promise<void> {
    if (this.server == null) return
    await closeAll(this.server, this.sockets)
    this.server = undefined
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target` (host:port), to take a real server away
 * from a node and give it back: `stop` drops every connection and refuses new ones,
 * `start` listens again on the same port.
 */
export class TcpProxy {
  private server?: NetServer
  private readonly sockets = new Set<Socket>()
  private boundPort = 0
  private readonly target: { host: string, port: number }

  constructor (target: string) {
    const i = target.lastIndexOf(':')
    this.target = { host: target.slice(0, i), port: Number(target.slice(i + 1)) }
  }

  get address (): string {
    return `127.0.0.1:${this.boundPort}`
  }

  async start (): Promise<void> {
    const server = createNetServer((client) => {
      const upstream = connect(this.target.port, this.target.host)
      this.sockets.add(client)
      this.sockets.add(upstream)
      const drop = (): void => {
        client.destroy()
        upstream.destroy()
        this.sockets.delete(client)
        this.sockets.delete(upstream)
      }
      client.on('error', drop).on('close', drop)
      upstream.on('error', drop).on('close', drop)
      client.pipe(upstream).pipe(client)
    })
    this.boundPort = await listen(server, this.boundPort)
    this.server = server
  }

  async stop (): Promise<void> {
    if (this.server == null) return
    await closeAll(this.server, this.sockets)
    this.server = undefined
  }
}
