import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, relative } from 'node:path'

/** A request the fake hub answered. */
export interface HubRequestLog {
  method: string
  path: string
  range?: string
  status: number
}

/** A local model hub on 127.0.0.1 serving the folders of `root` (`<root>/<owner>/<repo>/...`) as Hugging Face does. */
export interface FakeModelHub {
  url: string
  requests: HubRequestLog[]
  /** The next download of `path` sends `bytes` bytes and closes the connection. */
  cutAfter: (path: string, bytes: number) => void
  /** Every download of `path` sends other bytes of the same size (the tree API still lists the real checksums). */
  corrupt: (path: string) => void
  /** Downloads ignore `Range` and answer 200 with the whole file. */
  ignoreRange: () => void
  close: () => Promise<void>
}

function gitBlobSha1 (content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex')
}

/** What the tree API says of a file: LFS files (`.onnx`) by sha256, the others by git blob sha1. */
async function treeEntry (repoDir: string, file: string): Promise<Record<string, unknown>> {
  const content = await readFile(join(repoDir, file))
  if (!file.endsWith('.onnx')) return { type: 'file', oid: gitBlobSha1(content), size: content.length, path: file }
  const sha256 = createHash('sha256').update(content).digest('hex')
  const pointer = Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${content.length}\n`)
  return { type: 'file', oid: gitBlobSha1(pointer), size: content.length, path: file, lfs: { oid: sha256, size: content.length, pointerSize: pointer.length } }
}

/**
 * Starts a fake hub: the tree API (`/api/models/<repo>/tree/<rev>/<folder>`, real checksums of
 * the files on disk), `resolve` URLs that redirect (302) to the file, and files served with
 * `Range` support. Every request is logged in `requests`.
 */
export async function startModelHub (root: string): Promise<FakeModelHub> {
  const requests: HubRequestLog[] = []
  const cuts = new Map<string, number>()
  const corrupted = new Set<string>()
  let rangeIgnored = false

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const tree = path.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)\/?(.*)$/)
    if (tree != null) {
      const repoDir = join(root, tree[1] ?? '')
      const folder = join(repoDir, tree[3] ?? '')
      let entries
      try {
        entries = await readdir(folder, { withFileTypes: true })
      } catch {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Entry not found"}')
        return 404
      }
      const list = await Promise.all(entries.map(async (e) => {
        const file = relative(repoDir, join(folder, e.name))
        return e.isDirectory() ? { type: 'directory', oid: '0'.repeat(40), size: 0, path: file } : treeEntry(repoDir, file)
      }))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list))
      return 200
    }
    const resolve = path.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/)
    if (resolve != null) {
      res.writeHead(302, { location: `/files/${resolve[1] ?? ''}/${resolve[3] ?? ''}` }).end()
      return 302
    }
    const served = path.match(/^\/files\/([^/]+\/[^/]+)\/(.+)$/)
    if (served == null) {
      res.writeHead(404).end()
      return 404
    }
    const file = served[2] ?? ''
    let content: Buffer
    try {
      content = await readFile(join(root, served[1] ?? '', file))
    } catch {
      res.writeHead(404).end()
      return 404
    }
    if (corrupted.has(file)) content = Buffer.from(content.map(b => b ^ 0xff))
    const range = req.headers.range?.match(/^bytes=(\d+)-$/)
    const start = range == null || rangeIgnored ? 0 : Number(range[1])
    if (start >= content.length && content.length > 0) {
      res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end()
      return 416
    }
    const body = content.subarray(start)
    const status = start > 0 ? 206 : 200
    res.writeHead(status, {
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(status === 206 ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {})
    })
    const cut = cuts.get(file)
    if (cut != null) {
      cuts.delete(file)
      // the bytes reach the socket, then the connection drops with the rest unsent
      await new Promise<void>(resolve => res.write(body.subarray(0, cut), () => { resolve() }))
      res.socket?.destroy()
      return status
    }
    res.end(body)
    return status
  }

  const server = createServer((req, res) => {
    const logged: HubRequestLog = { method: req.method ?? 'GET', path: req.url ?? '/', range: req.headers.range, status: 0 }
    requests.push(logged)
    answer(req, res).then(
      (status) => { logged.status = status },
      (err: unknown) => { res.destroy(err as Error) }
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutAfter: (path, bytes) => { cuts.set(path, bytes) },
    corrupt: (path) => { corrupted.add(path) },
    ignoreRange: () => { rangeIgnored = true },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
