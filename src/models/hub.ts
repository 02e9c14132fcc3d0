import { z } from 'zod'

/** The hub used when neither `--hub-url` nor `HF_ENDPOINT` names another. */
export const DEFAULT_HUB_URL = 'https://huggingface.co'

/** How long a request may wait for the hub's answer, and a download for its next bytes. */
export const HUB_TIMEOUT_MS = 30_000

/** The hub cannot be reached, or answered with an error. */
export class HubError extends Error {
  override readonly name = 'HubError'
  constructor (message: string, readonly url: string, readonly status?: number) {
    super(message)
  }
}

/** A file of a hub repository, as the tree API lists it. */
export interface HubFile {
  /** Its path in the repository (`onnx/model_quantized.onnx`). */
  path: string
  size: number
  /** The git blob sha1 of the file (of the LFS pointer, for an LFS file). */
  gitSha1: string
  /** The sha256 of the content, for an LFS file. */
  sha256?: string
}

const treeEntrySchema = z.looseObject({
  type: z.string(),
  path: z.string(),
  size: z.number().int().min(0).optional(),
  oid: z.string().optional(),
  lfs: z.looseObject({ oid: z.string(), size: z.number().int().min(0) }).optional()
})

/**
 * The hub to pull from: `flag` (`--hub-url`) when given, else the `HF_ENDPOINT` environment
 * variable (the Hugging Face convention for mirrors), else https://huggingface.co; without a trailing slash.
 *
 * @example
 * ```ts
 * hubUrl(undefined, {})                                   // 'https://huggingface.co'
 * hubUrl(undefined, { HF_ENDPOINT: 'https://hf-mirror.com/' })   // 'https://hf-mirror.com'
 * hubUrl('http://127.0.0.1:8080', { HF_ENDPOINT: 'x' })   // 'http://127.0.0.1:8080'
 * ```
 */
export function hubUrl (flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = [flag, env.HF_ENDPOINT].find(v => v != null && v.trim() !== '') ?? DEFAULT_HUB_URL
  const trimmed = chosen.trim().replace(/\/+$/, '')
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    throw new HubError(`the hub URL ${trimmed} is not a URL (from ${flag != null ? '--hub-url' : 'HF_ENDPOINT'})`, trimmed)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HubError(`the hub URL ${trimmed} is not http(s)`, trimmed)
  return trimmed
}

function encodePath (path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

/**
 * The URL of the tree API listing `folder` ('' for the top) of `repo` at `revision`.
 *
 * @example
 * ```ts
 * treeUrl('https://huggingface.co', 'Xenova/all-MiniLM-L6-v2', 'main', 'onnx')
 * // 'https://huggingface.co/api/models/Xenova/all-MiniLM-L6-v2/tree/main/onnx'
 * ```
 */
export function treeUrl (hub: string, repo: string, revision: string, folder: string): string {
  return `${hub}/api/models/${encodePath(repo)}/tree/${encodeURIComponent(revision)}${folder === '' ? '' : `/${encodePath(folder)}`}`
}

/**
 * The URL a file of `repo` at `revision` downloads from (the hub redirects it to its storage).
 *
 * @example
 * ```ts
 * resolveUrl('https://huggingface.co', 'Xenova/all-MiniLM-L6-v2', 'main', 'tokenizer.json')
 * // 'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/tokenizer.json'
 * ```
 */
export function resolveUrl (hub: string, repo: string, revision: string, path: string): string {
  return `${hub}/${encodePath(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`
}

/** What a request to the hub needs besides its URL. */
export interface HubRequest {
  headers?: Record<string, string>
  /** For the answer's headers, then for each next chunk of its body (default 30 s). */
  timeoutMs?: number
}

/** A hub answer whose body is read through `chunks`, which fails when the hub stops sending. */
export interface HubResponse {
  response: Response
  chunks: AsyncIterable<Uint8Array>
  /** Stops reading the body (when the caller no longer wants it). */
  cancel: () => Promise<void>
}

function describeCause (err: unknown): string {
  const cause = (err as { cause?: unknown }).cause ?? err
  const code = (cause as { code?: unknown }).code
  const message = cause instanceof Error ? cause.message : String(cause)
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
}

/** The error for a hub that cannot be reached at `url`. */
function unreachable (url: string, why: string): HubError {
  return new HubError(`cannot reach the model hub: GET ${url} failed (${why}); check the network, or name a reachable hub or mirror with --hub-url (or HF_ENDPOINT)`, url)
}

/**
 * GETs `url` from the hub, following redirects, with a timeout for the answer and for each
 * chunk of its body. A hub that cannot be reached is a HubError naming the URL and `--hub-url`.
 *
 * @example
 * ```ts
 * const { response, chunks } = await hubGet('https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/tokenizer.json')
 * for await (const chunk of chunks) process.stdout.write(chunk)
 * ```
 */
export async function hubGet (url: string, request: HubRequest = {}): Promise<HubResponse> {
  const timeoutMs = request.timeoutMs ?? HUB_TIMEOUT_MS
  const controller = new AbortController()
  let timedOut = false
  let timer = setTimeout(() => { timedOut = true; controller.abort() }, timeoutMs)
  const rearm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => { timedOut = true; controller.abort() }, timeoutMs)
  }
  let response: Response
  try {
    response = await fetch(url, { headers: request.headers, redirect: 'follow', signal: controller.signal })
  } catch (err) {
    clearTimeout(timer)
    throw unreachable(url, timedOut ? `no answer within ${timeoutMs / 1000} s` : describeCause(err))
  }
  rearm()
  const body = response.body
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  async function * chunks (): AsyncGenerator<Uint8Array> {
    if (body == null) { clearTimeout(timer); return }
    reader = body.getReader()
    try {
      while (true) {
        let next: Awaited<ReturnType<typeof reader.read>>
        try {
          next = await reader.read()
        } catch (err) {
          throw new HubError(timedOut
            ? `the download from ${url} stalled: no data for ${timeoutMs / 1000} s; run the command again to resume it`
            : `the download from ${url} broke off (${describeCause(err)}); run the command again to resume it`, url)
        }
        if (next.done) return
        rearm()
        yield next.value
      }
    } finally {
      clearTimeout(timer)
      await reader.cancel().catch(() => {})
      reader.releaseLock()
      reader = undefined
    }
  }
  return {
    response,
    chunks: chunks(),
    cancel: async () => {
      clearTimeout(timer)
      await (reader ?? body)?.cancel().catch(() => {})
    }
  }
}

/** The error for an answer that is not a success. */
export function statusError (url: string, status: number, what: string): HubError {
  const why = status === 404
    ? `${what} is not on the hub (404)`
    : status === 401 || status === 403
      ? `the hub refused access to ${what} (${status})`
      : `the hub answered ${status} for ${what}`
  return new HubError(`${why}: GET ${url}`, url, status)
}

async function readJson (url: string, what: string, timeoutMs?: number): Promise<{ json: unknown, next?: string }> {
  const { response, chunks, cancel } = await hubGet(url, { headers: { Accept: 'application/json' }, timeoutMs })
  if (!response.ok) {
    await cancel()
    throw statusError(url, response.status, what)
  }
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  const text = Buffer.concat(parts).toString('utf8')
  try {
    const link = response.headers.get('link')
    const next = link?.match(/<([^>]+)>\s*;\s*rel="?next"?/)?.[1]
    return { json: JSON.parse(text), next: next == null ? undefined : new URL(next, url).href }
  } catch {
    throw new HubError(`the hub's answer to GET ${url} is not JSON; is ${new URL(url).origin} a model hub? (--hub-url, HF_ENDPOINT)`, url)
  }
}

/**
 * The files directly in `folder` ('' for the top) of `repo` at `revision`, from the hub's tree
 * API, with their sizes and checksums; pages of a long listing are followed.
 *
 * @example
 * ```ts
 * await listTree('https://huggingface.co', 'Xenova/all-MiniLM-L6-v2', 'main', 'onnx')
 * // [{ path: 'onnx/model_quantized.onnx', size: 22972869, gitSha1: '…', sha256: '…' }, …]
 * ```
 */
export async function listTree (hub: string, repo: string, revision: string, folder: string, timeoutMs?: number): Promise<HubFile[]> {
  const files: HubFile[] = []
  let url: string | undefined = treeUrl(hub, repo, revision, folder)
  const what = `${repo}${folder === '' ? '' : `/${folder}`} at revision ${revision}`
  while (url != null) {
    const { json, next }: { json: unknown, next?: string } = await readJson(url, what, timeoutMs)
    const parsed = z.array(treeEntrySchema).safeParse(json)
    if (!parsed.success) throw new HubError(`the hub's answer to GET ${url} is not a file list (${parsed.error.issues[0]?.message ?? 'unexpected shape'})`, url)
    for (const entry of parsed.data) {
      if (entry.type !== 'file' || entry.oid == null || entry.size == null) continue
      files.push({
        path: entry.path,
        size: entry.lfs?.size ?? entry.size,
        gitSha1: entry.oid,
        ...(entry.lfs == null ? {} : { sha256: entry.lfs.oid })
      })
    }
    url = next
  }
  return files
}

/**
 * The hub's entries for `paths` of `repo` at `revision`, in the order given: one tree listing
 * per folder. A path the hub does not list is a HubError naming it.
 *
 * @example
 * ```ts
 * await hubFiles('https://huggingface.co', 'Xenova/all-MiniLM-L6-v2', 'main', ['tokenizer.json', 'onnx/model_quantized.onnx'])
 * ```
 */
export async function hubFiles (hub: string, repo: string, revision: string, paths: string[], timeoutMs?: number): Promise<HubFile[]> {
  const folders = [...new Set(paths.map(p => p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : ''))]
  const listed = new Map<string, HubFile>()
  for (const folder of folders) {
    for (const file of await listTree(hub, repo, revision, folder, timeoutMs)) listed.set(file.path, file)
  }
  return paths.map(path => {
    const file = listed.get(path)
    if (file == null) throw new HubError(`${repo} at revision ${revision} has no file ${path} (GET ${treeUrl(hub, repo, revision, path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '')})`, treeUrl(hub, repo, revision, ''))
    return file
  })
}
