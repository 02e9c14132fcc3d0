import { ApiError } from './errors.js'
import type { IncomingMessage } from 'node:http'

export interface RequestContext {
  req: IncomingMessage
  url: URL
  params: Record<string, string>
  signal: AbortSignal
}

export type Handler = (ctx: RequestContext) => Promise<unknown>

interface Route {
  method: string
  segments: string[]
  handler: Handler
  status: number
}

/**
 * A tiny path router: `/v1/communities/:c/channels/:ch/messages` style patterns.
 *
 * @example
 * ```ts
 * const router = new Router().get('/v1/status', async () => node.status())
 * ```
 */
export class Router {
  private readonly routes: Route[] = []

  /** Adds a route; `status` is the HTTP status of a successful answer. */
  add (method: string, pattern: string, handler: Handler, status = 200): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler, status })
    return this
  }

  get (pattern: string, handler: Handler): this {
    return this.add('GET', pattern, handler)
  }

  post (pattern: string, handler: Handler, status = 200): this {
    return this.add('POST', pattern, handler, status)
  }

  delete (pattern: string, handler: Handler): this {
    return this.add('DELETE', pattern, handler)
  }

  /** Finds the handler and path parameters; throws 404 or 405 naming the path. */
  match (method: string, pathname: string): { handler: Handler, params: Record<string, string>, status: number } {
    const parts = pathname.split('/').filter(Boolean)
    let pathMatched = false
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts)
      if (params == null) continue
      pathMatched = true
      if (route.method === method) return { handler: route.handler, params, status: route.status }
    }
    if (pathMatched) throw new ApiError(405, 'method_not_allowed', `${method} is not supported on ${pathname}`)
    throw new ApiError(404, 'not_found', `no such endpoint: ${pathname}`)
  }
}

function matchSegments (pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? ''
    const v = parts[i] ?? ''
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(v)
      } catch {
        throw new ApiError(400, 'bad_path', `malformed path segment: ${v}`)
      }
    } else if (p !== v) {
      return undefined
    }
  }
  return params
}
