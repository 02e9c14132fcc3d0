import { WebSocket } from 'ws'
import { waitFor } from './wait.js'

/** A frame the node sent, as JSON. */
export type Frame = Record<string, unknown> & { type: string }

/**
 * A raw client of `WS /v1/agents/connect`, speaking the frames by hand as a program in any
 * language would: it keeps every frame the node sent, pairs results with ids, and awaits
 * frames by predicate.
 */
export class RawAgentClient {
  readonly ws: WebSocket
  readonly frames: Frame[] = []
  closed?: { code: number, reason: string }
  private seq = 0

  private constructor (ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data: Buffer) => { this.frames.push(JSON.parse(data.toString()) as Frame) })
    ws.on('close', (code: number, reason: Buffer) => { this.closed = { code, reason: reason.toString() } })
  }

  /** Opens a connection; resolves once the node's welcome arrived, or with the HTTP status and error of a refusal. */
  static async open (apiUrl: string, token: string, options: { protocols?: string[], header?: boolean } = {}): Promise<RawAgentClient | { status: number, code: string, message: string }> {
    const headers = options.header === false ? {} : { authorization: `Bearer ${token}` }
    const ws = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}/v1/agents/connect`, options.protocols ?? ['oa-agent.v1'], { headers })
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        const client = new RawAgentClient(ws)
        waitFor('welcome frame', () => client.frames.find(f => f.type === 'welcome')).then(() => { resolve(client) }, reject)
      })
      ws.once('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (d: Buffer) => { body += d.toString() })
        res.on('end', () => {
          const error = (JSON.parse(body) as { error: { code: string, message: string } }).error
          resolve({ status: res.statusCode ?? 0, ...error })
        })
      })
      ws.once('error', reject)
    })
  }

  /** Sends a frame (an object is sent as JSON, a string as it is). */
  send (frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Sends a frame with a fresh id and resolves with the node's result or error frame for it. */
  async call (frame: Record<string, unknown>): Promise<Frame> {
    const id = `f${++this.seq}`
    this.send({ ...frame, id })
    return this.reply(id)
  }

  /** The result or error frame paired with `id`. */
  async reply (id: string): Promise<Frame> {
    return waitFor(`the reply to frame ${id}`, () => this.frames.find(f => (f.type === 'result' || f.type === 'error') && f.id === id), 30_000, 20)
  }

  /** The first frame (from `after` on) that matches. */
  async next (what: string, match: (frame: Frame) => boolean, after = 0): Promise<Frame> {
    return waitFor(what, () => this.frames.slice(after).find(match), 30_000, 20)
  }

  async register (agent: Record<string, unknown>): Promise<Frame> {
    return this.call({ type: 'register', agent })
  }

  async action (agent: string, action: string, params: Record<string, unknown>): Promise<Frame> {
    return this.call({ type: 'action', agent, action, params })
  }

  async close (): Promise<void> {
    if (this.closed != null) return
    this.ws.close()
    await waitFor('connection closed', () => this.closed != null)
  }
}
