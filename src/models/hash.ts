import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/**
 * The sha256 of a file's content, hex, read as a stream.
 *
 * @example
 * ```ts
 * await sha256File('/home/me/.oa-node/models/all-minilm-l6-v2/tokenizer.json')   // 'be4d…'
 * ```
 */
export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  await feedFile(path, [hash])
  return hash.digest('hex')
}

/**
 * Feeds a file's content, or its first `bytes` bytes, to every hash in `hashes`.
 *
 * @example
 * ```ts
 * const hash = createHash('sha256')
 * await feedFile('model.onnx.part', [hash], 1024)
 * ```
 */
export async function feedFile (path: string, hashes: Hash[], bytes?: number): Promise<void> {
  if (bytes === 0) return
  const stream = createReadStream(path, bytes == null ? {} : { end: bytes - 1 })
  for await (const chunk of stream) for (const hash of hashes) hash.update(chunk as Buffer)
}

/**
 * A git blob hash being computed: sha1 of `blob <size>\0` followed by the content. The hub's
 * tree API gives this (`oid`) for every file that is not in LFS.
 *
 * @example
 * ```ts
 * const hash = gitBlobHash(5)
 * hash.update('hello')
 * hash.digest('hex')   // 'b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0'
 * ```
 */
export function gitBlobHash (size: number): Hash {
  return createHash('sha1').update(`blob ${size}\0`)
}
