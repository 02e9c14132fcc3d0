/** Short phrases for the error codes of a failed connection (Node.js sockets, undici, DNS, TLS). */
const CODES: Array<[RegExp, string]> = [
  [/^ECONNREFUSED$/, 'connection refused'],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/, 'host not found'],
  [/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/, 'host unreachable'],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/, 'connection timed out'],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNABORTED)$/, 'the connection was closed before an answer'],
  [/^(HPE_|UND_ERR_INVALID|UND_ERR_RES)/, 'the answer is not HTTP'],
  [/^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/, 'TLS failed'],
  [/^(ERR_INVALID_URL|ERR_SOCKET_BAD_PORT)$/, 'malformed address']
]

/** The same codes as they appear inside a message (gRPC puts the socket error in its text). */
const IN_TEXT: Array<[RegExp, string]> = [
  [/\bECONNREFUSED\b/, 'connection refused'],
  [/\b(ENOTFOUND|EAI_AGAIN)\b|Name resolution failed/, 'host not found'],
  [/\b(EHOSTUNREACH|ENETUNREACH)\b/, 'host unreachable'],
  [/\bETIMEDOUT\b/, 'connection timed out'],
  [/\b(ECONNRESET|EPIPE)\b/, 'the connection was closed before an answer'],
  [/\bERR_SOCKET_BAD_PORT\b|Failed to parse DNS address|Could not parse target name/, 'malformed address']
]

function codesOf (err: unknown): string[] {
  const codes: string[] = []
  let at: unknown = err
  // a bounded walk down the cause chain (fetch wraps the socket error in `cause`)
  for (let depth = 0; depth < 5 && at != null && typeof at === 'object'; depth++) {
    const code = (at as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    const errors = (at as { errors?: unknown }).errors
    if (Array.isArray(errors)) for (const e of errors.slice(0, 5)) if (typeof (e as { code?: unknown })?.code === 'string') codes.push((e as { code: string }).code)
    at = (at as { cause?: unknown }).cause
  }
  return codes
}

function messagesOf (err: unknown): string {
  const parts: string[] = []
  let at: unknown = err
  for (let depth = 0; depth < 5 && at != null; depth++) {
    if (at instanceof Error) parts.push(at.message)
    else if (typeof at === 'string') parts.push(at)
    at = typeof at === 'object' ? (at as { cause?: unknown }).cause : undefined
  }
  return parts.join(' | ')
}

/**
 * A short phrase for why a connection failed, from the error codes in `err` and its
 * causes (`connection refused`, `host not found`, ...), or undefined when `err` is not
 * a connection failure.
 *
 * @example
 * ```ts
 * await fetch('http://127.0.0.1:1/').catch(err => networkCause(err)) // 'connection refused'
 * ```
 */
export function networkCause (err: unknown): string | undefined {
  for (const code of codesOf(err)) {
    for (const [pattern, phrase] of CODES) if (pattern.test(code)) return phrase
  }
  const text = messagesOf(err)
  for (const [pattern, phrase] of IN_TEXT) if (pattern.test(text)) return phrase
  return undefined
}
