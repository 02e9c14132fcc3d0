import { WebSocket } from 'ws'
import { networkCause } from '../endpoints/network-cause.js'
import { isProcessAlive } from '../node/data-dir.js'
import { NodeNotRunningError } from './errors.js'
import { readApiInfo, readToken } from './files.js'
import type { ApiInfo } from './files.js'
import { commandLine } from '../cli/invocation.js'

/** An error answer from the control API. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError'
  readonly status: number
  readonly code: string
  /** The rest of the answer's `error` object (`candidates` of an ambiguous agent name, `retryInMs`). */
  readonly details: Record<string, unknown>

  constructor (status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

/**
 * Talks to a running node's control API, found through its data dir.
 *
 * @example
 * ```ts
 * const api = await ApiClient.fromDataDir('./n1')
 * const status = await api.get<NodeStatus>('/v1/status')
 * ```
 */
export class ApiClient {
  readonly info: ApiInfo
  private readonly token: string

  constructor (info: ApiInfo, token: string) {
    this.info = info
    this.token = token
  }

  static async fromDataDir (dataDir: string): Promise<ApiClient> {
    const info = await readApiInfo(dataDir)
    if (info == null) {
      throw new NodeNotRunningError(`no running oa-node found for data dir ${dataDir} (no api.json); start one with: ${commandLine(`start --data-dir ${dataDir}`)}`)
    }
    if (!isProcessAlive(info.pid)) {
      throw new NodeNotRunningError(`the oa-node for data dir ${dataDir} is not running (pid ${info.pid} has exited); start it with: ${commandLine(`start --data-dir ${dataDir}`)}`)
    }
    const token = await readToken(dataDir)
    if (token == null) throw new NodeNotRunningError(`cannot read ${dataDir}/api.token`)
    return new ApiClient(info, token)
  }

  async request<T> (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let res: Response
    try {
      res = await fetch(new URL(path, this.info.url), {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ?? AbortSignal.timeout(30_000)
      })
    } catch (err) {
      throw new NodeNotRunningError(`cannot reach the oa-node API at ${this.info.url} (${networkCause(err) ?? (err as Error).message})`)
    }
    const data: unknown = await res.json().catch(() => undefined)
    if (!res.ok) {
      const error = (data as { error?: { code?: string, message?: string } & Record<string, unknown> } | undefined)?.error
      const { code, message, ...details } = error ?? {}
      throw new ApiRequestError(res.status, code ?? 'http_error', message ?? `HTTP ${res.status}`, details)
    }
    return data as T
  }

  /**
   * Opens `WS /v1/events` with filters; resolves once the stream is open.
   *
   * @example
   * ```ts
   * const ws = await api.events({ community: 'devsupport', channel: 'general' })
   * ws.on('message', (data) => console.log(JSON.parse(String(data))))
   * ```
   */
  async events (filter: Record<string, string | undefined>): Promise<WebSocket> {
    const url = new URL('/v1/events', this.info.url.replace(/^http/, 'ws'))
    for (const [key, value] of Object.entries(filter)) if (value != null) url.searchParams.set(key, value)
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` } })
    return new Promise((resolve, reject) => {
      ws.once('open', () => { resolve(ws) })
      ws.once('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (d: Buffer) => { body += d.toString() })
        res.on('end', () => {
          let message = `HTTP ${res.statusCode ?? '?'}`
          let code = 'http_error'
          try {
            const error = (JSON.parse(body) as { error?: { code?: string, message?: string } }).error
            message = error?.message ?? message
            code = error?.code ?? code
          } catch {
            // not JSON: keep the status line
          }
          reject(new ApiRequestError(res.statusCode ?? 0, code, message))
        })
      })
      ws.once('error', (err) => { reject(new NodeNotRunningError(`cannot open the event stream at ${url.origin}: ${err.message}`)) })
    })
  }

  async get<T> (path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal)
  }

  async post<T> (path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('POST', path, body, signal)
  }

  async delete<T> (path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('DELETE', path, undefined, signal)
  }
}
