import type { IncomingMessage } from 'node:http'

/**
 * The name of a node's Studio session cookie. Browsers do not keep cookies apart by
 * port, so two nodes on 127.0.0.1 need different names or they would overwrite each
 * other's.
 *
 * @example
 * ```ts
 * sessionCookieName(7780)   // 'oa_studio_7780'
 * ```
 */
export function sessionCookieName (port: number): string {
  return `oa_studio_${port}`
}

/**
 * The value of one cookie of a request, or undefined.
 *
 * @example
 * ```ts
 * cookieValue(req, 'oa_studio_7780')
 * ```
 */
export function cookieValue (req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie
  if (header == null) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * The `Set-Cookie` header of a session: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), the whole API's path. An empty value with Max-Age 0
 * clears it.
 *
 * @example
 * ```ts
 * res.setHeader('set-cookie', sessionCookie(7780, id, 43_200))
 * ```
 */
export function sessionCookie (port: number, value: string, maxAgeSeconds: number): string {
  return `${sessionCookieName(port)}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`
}
