import { dottedPath } from '../config/load.js'
import { ApiError } from './errors.js'
import type { IncomingMessage } from 'node:http'
import type { z } from 'zod'

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1_048_576

/** `application/json` or `application/<something>+json`, with no charset or UTF-8. */
function isJsonType (header: string): boolean {
  const [type = '', ...params] = header.split(';').map(part => part.trim().toLowerCase())
  if (type !== 'application/json' && !/^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type)) return false
  return params.every(param => !param.startsWith('charset=') || ['utf-8', 'utf8', '"utf-8"'].includes(param.slice('charset='.length)))
}

/**
 * Checks a request's body before anything reads it: a body must be JSON by its
 * content type (a browser page can send `text/plain` across sites without asking), and
 * no larger than MAX_BODY_BYTES by its declared length. 415 naming the type it got, 413.
 *
 * @example
 * ```ts
 * checkBodyHeaders(req)   // throws ApiError 415 for "Content-Type: text/plain"
 * ```
 */
export function checkBodyHeaders (req: IncomingMessage): void {
  const length = req.headers['content-length']
  const hasBody = req.headers['transfer-encoding'] != null || (length != null && length !== '0')
  if (!hasBody) return
  const type = req.headers['content-type']
  if (type == null) throw new ApiError(415, 'unsupported_media_type', 'the request has a body but no Content-Type; send JSON as "Content-Type: application/json"')
  if (!isJsonType(type)) throw new ApiError(415, 'unsupported_media_type', `the request body is "${type.slice(0, 100)}"; send JSON as "Content-Type: application/json"`)
  if (length != null && Number(length) > MAX_BODY_BYTES) throw new ApiError(413, 'body_too_large', `the request body is ${length} bytes, over the ${MAX_BODY_BYTES} accepted`)
}

/** Reads a JSON request body; 400/413 naming the problem when it is not acceptable. */
export async function readJson (req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'body_too_large', `the request body is over ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') throw new ApiError(400, 'bad_json', 'the request body is empty; send a JSON object')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ApiError(400, 'bad_json', `the request body is not JSON: ${(err as Error).message}`)
  }
}

/**
 * Reads and validates a JSON body against a zod schema; a 400 names the first bad field.
 *
 * @example
 * ```ts
 * const { text } = await readBody(req, z.strictObject({ text: z.string() }))
 * ```
 */
export async function readBody<T> (req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const result = schema.safeParse(await readJson(req))
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') return issue.keys.map(key => `${dottedPath([...issue.path, key])}: unknown field`)
      const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
      return [`${dottedPath(issue.path)}: ${missing ? 'required' : issue.message}`]
    })
    throw new ApiError(400, 'bad_request', problems.join('; '))
  }
  return result.data
}

/** A whole-number query parameter in a range; 400 naming it otherwise. */
export function intParam (url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name)
  if (raw == null || raw === '') return undefined
  if (!/^\d+$/.test(raw)) throw new ApiError(400, 'bad_request', `${name}: expected a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ApiError(400, 'bad_request', `${name}: expected ${min} to ${max}, got ${value}`)
  return value
}
