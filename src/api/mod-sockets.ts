import { WebSocketServer } from 'ws'
import { offeredSubprotocols, UNAUTHORIZED } from './auth.js'
import { ApiError } from './errors.js'
import type { ModSocket } from '../mods/contract.js'
import type { OaNode } from '../node/oa-node.js'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

const DEFAULT_MAX_PAYLOAD = 1024 * 1024

interface Endpoint {
  socket: ModSocket<unknown>
  service: unknown
  wss: WebSocketServer
}

/**
 * The WebSocket endpoints the node's mods add to the control API (`sockets` of a mod),
 * by path: each answers its own subprotocol and may take tokens of its own besides the
 * node's API token.
 */
export class ModSockets {
  private readonly endpoints = new Map<string, Endpoint>()

  constructor (node: OaNode) {
    for (const { mod } of node.mods.mods) {
      const service = node.service<unknown>(mod.name)
      for (const socket of (mod.sockets ?? []) as Array<ModSocket<unknown>>) {
        const wss = new WebSocketServer({
          noServer: true,
          maxPayload: socket.maxPayload ?? DEFAULT_MAX_PAYLOAD,
          handleProtocols: (offered: Set<string>) => offered.has(socket.subprotocol) ? socket.subprotocol : false
        })
        this.endpoints.set(socket.path, { socket, service, wss })
      }
    }
  }

  /** The paths served, for the 404 of an unknown one. */
  paths (): string[] {
    return [...this.endpoints.keys()]
  }

  has (path: string): boolean {
    return this.endpoints.has(path)
  }

  /** The subprotocol of the endpoint at `path`. */
  subprotocol (path: string): string | undefined {
    return this.endpoints.get(path)?.socket.subprotocol
  }

  /**
   * Completes the upgrade of a mod's endpoint whose Host and Origin were checked.
   * `token` is undefined when the client presented the node's API token, else the token to
   * ask the endpoint about. Throws ApiError (401 a token it does not know, 400 a client
   * that does not offer its subprotocol).
   */
  async upgrade (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, token: string | undefined): Promise<void> {
    const endpoint = this.endpoints.get(url.pathname)
    if (endpoint == null) throw new ApiError(404, 'not_found', `no WebSocket endpoint at ${url.pathname}`)
    const { subprotocol } = endpoint.socket
    if (!offeredSubprotocols(req).includes(subprotocol)) {
      throw new ApiError(400, 'bad_subprotocol', `${url.pathname} speaks the subprotocol "${subprotocol}": offer it (Sec-WebSocket-Protocol: ${subprotocol})`)
    }
    let principal: unknown
    if (token != null) {
      principal = await endpoint.socket.principal?.(endpoint.service, token)
      if (principal == null) throw UNAUTHORIZED
    }
    endpoint.wss.handleUpgrade(req, socket, head, (ws) => {
      endpoint.socket.accept(endpoint.service, { ws, req, url, principal })
    })
  }

  close (): void {
    for (const { socket, service, wss } of this.endpoints.values()) {
      socket.stopping?.(service)
      for (const client of wss.clients) client.terminate()
      wss.close()
    }
  }
}
