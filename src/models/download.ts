import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { once } from 'node:events'
import { feedFile, gitBlobHash } from './hash.js'
import { HubError, hubGet, statusError } from './hub.js'
import type { HubFile } from './hub.js'

/** A downloaded file is not what the hub said it is; the bad file is deleted. */
export class ChecksumError extends Error {
  override readonly name = 'ChecksumError'
  constructor (readonly file: string, readonly algorithm: 'sha256' | 'sha1' | 'size', readonly expected: string, readonly got: string) {
    super(`${file}: ${algorithm === 'size' ? 'size' : `${algorithm} checksum`} mismatch, expected ${expected}, got ${got}; the file was deleted, run the command again to download it again`)
  }
}

/** Bytes of one file arriving: `done` of `total`, counting what an earlier attempt left. */
export interface DownloadProgress {
  path: string
  done: number
  total: number
}

/** What `downloadFile` needs: where from, where to, and what the file must be. */
export interface DownloadRequest {
  url: string
  /** The file, as the hub lists it (size and checksums). */
  file: HubFile
  /** Where the download goes; a file there is resumed. */
  partPath: string
  onProgress?: (progress: DownloadProgress) => void
  timeoutMs?: number
}

/** A file downloaded and checked. */
export interface DownloadResult {
  sha256: string
  size: number
  /** The bytes an earlier attempt had left and this one kept (0: from the start). */
  resumedFrom: number
  /** The bytes fetched by this attempt. */
  fetched: number
}

async function sizeOf (path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
}

/**
 * Downloads a hub file into `partPath` and checks it: an LFS file by its sha256, another by its
 * git blob sha1, and both by size. A `partPath` left by an interrupted download is resumed with
 * a `Range` request (a server that answers 200 instead of 206 sends it all again, and the part
 * starts over). A file that does not match is deleted and a ChecksumError names it.
 *
 * @example
 * ```ts
 * const [file] = await hubFiles(hub, 'Xenova/all-MiniLM-L6-v2', 'main', ['tokenizer.json'])
 * await downloadFile({ url: resolveUrl(hub, 'Xenova/all-MiniLM-L6-v2', 'main', file.path), file, partPath: '/tmp/tokenizer.json.part' })
 * // { sha256: '…', size: 711661, resumedFrom: 0, fetched: 711661 }
 * ```
 */
export async function downloadFile (request: DownloadRequest): Promise<DownloadResult> {
  const { url, file, partPath } = request
  await mkdir(dirname(partPath), { recursive: true })
  let have = await sizeOf(partPath)
  if (have > file.size) {
    await rm(partPath, { force: true })
    have = 0
  }
  let fetched = 0
  if (have < file.size) {
    const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {}
    const { response, chunks, cancel } = await hubGet(url, { headers, timeoutMs: request.timeoutMs })
    let append = false
    if (response.status === 206 && have > 0) {
      const start = Number(response.headers.get('content-range')?.match(/^bytes (\d+)-/)?.[1])
      if (start !== have) {
        await cancel()
        throw new HubError(`GET ${url} with Range bytes=${have}- answered with ${response.headers.get('content-range') ?? 'no Content-Range'}`, url, 206)
      }
      append = true
    } else if (response.status === 416 && have > 0) {
      // the server will not serve the rest: start over next time
      await cancel()
      await rm(partPath, { force: true })
      return downloadFile(request)
    } else if (!response.ok) {
      await cancel()
      throw statusError(url, response.status, file.path)
    }
    if (!append) have = 0
    request.onProgress?.({ path: file.path, done: have, total: file.size })
    const out = createWriteStream(partPath, { flags: append ? 'a' : 'w' })
    const failed = new Promise<never>((_resolve, reject) => { out.once('error', reject) })
    failed.catch(() => {})
    try {
      for await (const chunk of chunks) {
        fetched += chunk.length
        if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed])
        request.onProgress?.({ path: file.path, done: have + fetched, total: file.size })
        // more than the file's size: the check below rejects it, no need for the rest
        if (have + fetched > file.size) {
          await cancel()
          break
        }
      }
    } finally {
      out.end()
      await Promise.race([once(out, 'close'), failed])
    }
    if (have + fetched < file.size) {
      throw new HubError(`the download from ${url} ended after ${have + fetched} of ${file.size} bytes; run the command again to resume it`, url)
    }
  }
  return { ...await checkPart(partPath, file), resumedFrom: have, fetched }
}

/** Checks a complete part file against the hub's size and checksum; deletes it when it does not match. */
async function checkPart (partPath: string, file: HubFile): Promise<{ sha256: string, size: number }> {
  const size = await sizeOf(partPath)
  if (size !== file.size) {
    await rm(partPath, { force: true })
    throw new ChecksumError(file.path, 'size', `${file.size} bytes`, `${size} bytes`)
  }
  const sha256 = createHash('sha256')
  const hashes: Hash[] = [sha256]
  const sha1 = file.sha256 == null ? gitBlobHash(size) : undefined
  if (sha1 != null) hashes.push(sha1)
  await feedFile(partPath, hashes)
  const got256 = sha256.digest('hex')
  if (file.sha256 != null && got256 !== file.sha256.toLowerCase()) {
    await rm(partPath, { force: true })
    throw new ChecksumError(file.path, 'sha256', file.sha256, got256)
  }
  if (sha1 != null) {
    const got1 = sha1.digest('hex')
    if (got1 !== file.gitSha1.toLowerCase()) {
      await rm(partPath, { force: true })
      throw new ChecksumError(file.path, 'sha1', file.gitSha1, got1)
    }
  }
  return { sha256: got256, size }
}
