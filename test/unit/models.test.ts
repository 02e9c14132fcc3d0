import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { catalogFiles, catalogModel, catalogNames } from '../../src/models/catalog.js'
import { ChecksumError, downloadFile } from '../../src/models/download.js'
import { gitBlobHash } from '../../src/models/hash.js'
import { HubError, hubFiles, hubUrl, listTree, resolveUrl, treeUrl } from '../../src/models/hub.js'
import { formatBytes, pullProgress } from '../../src/models/progress.js'
import { startModelHub } from '../helpers/model-hub.js'
import type { FakeModelHub } from '../helpers/model-hub.js'
import { tempDir } from '../helpers/tmp.js'

describe('the model catalog', () => {
  it('has the two models with their repos, pooling and sizes', () => {
    expect(catalogNames()).toEqual(['all-minilm-l6-v2', 'bge-small-en-v1.5'])
    expect(catalogModel('all-minilm-l6-v2')).toMatchObject({ repo: 'Xenova/all-MiniLM-L6-v2', onnx: 'onnx/model_quantized.onnx', pooling: 'mean', dimension: 384, maxTokens: 256 })
    expect(catalogModel('bge-small-en-v1.5')).toMatchObject({ repo: 'Xenova/bge-small-en-v1.5', onnx: 'onnx/model_quantized.onnx', pooling: 'cls', dimension: 384, maxTokens: 512 })
    expect(catalogFiles(catalogModel('bge-small-en-v1.5')!)).toEqual(['tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'])
    expect(catalogModel('gpt-17')).toBeUndefined()
  })
})

describe('the hub URL', () => {
  it('is --hub-url, else HF_ENDPOINT, else huggingface.co, without a trailing slash', () => {
    expect(hubUrl(undefined, {})).toBe('https://huggingface.co')
    expect(hubUrl(undefined, { HF_ENDPOINT: 'https://hf-mirror.com/' })).toBe('https://hf-mirror.com')
    expect(hubUrl('http://127.0.0.1:9/', { HF_ENDPOINT: 'https://hf-mirror.com' })).toBe('http://127.0.0.1:9')
    expect(() => hubUrl('ftp://x', {})).toThrow(/not http\(s\)/)
    expect(() => hubUrl('not a url', {})).toThrow(/not a URL \(from --hub-url\)/)
  })

  it('builds tree and resolve URLs, the revision escaped', () => {
    expect(treeUrl('https://h', 'Xenova/all-MiniLM-L6-v2', 'main', 'onnx')).toBe('https://h/api/models/Xenova/all-MiniLM-L6-v2/tree/main/onnx')
    expect(treeUrl('https://h', 'a/b', 'refs/pr/1', '')).toBe('https://h/api/models/a/b/tree/refs%2Fpr%2F1')
    expect(resolveUrl('https://h', 'a/b', 'main', 'onnx/model.onnx')).toBe('https://h/a/b/resolve/main/onnx/model.onnx')
  })
})

describe('a hub that does not answer', () => {
  it('fails after the timeout, naming the URL and --hub-url', async () => {
    const held: ServerResponse[] = []
    const server = createServer((_req, res) => { held.push(res) })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const err = await listTree(url, 'o/r', 'main', '', 300).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HubError)
      expect((err as Error).message).toBe(`cannot reach the model hub: GET ${url}/api/models/o/r/tree/main failed (no answer within 0.3 s); check the network, or name a reachable hub or mirror with --hub-url (or HF_ENDPOINT)`)
      expect(held).toHaveLength(1)
    } finally {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  })
})

describe('the git blob hash', () => {
  it('is what git hash-object gives', () => {
    // printf hello | git hash-object --stdin
    expect(gitBlobHash(5).update('hello').digest('hex')).toBe('b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0')
  })
})

describe('downloading a file', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let hub: FakeModelHub
  const content = randomBytes(64_000)

  beforeEach(async () => {
    dir = await tempDir('oa-download-')
    await mkdir(join(dir.path, 'hub', 'o', 'r'), { recursive: true })
    await writeFile(join(dir.path, 'hub', 'o', 'r', 'm.onnx'), content)
    hub = await startModelHub(join(dir.path, 'hub'))
  })

  afterEach(async () => {
    await hub.close()
    await dir.cleanup()
  })

  it('lists an LFS file with its sha256 and size', async () => {
    const [file] = await hubFiles(hub.url, 'o/r', 'main', ['m.onnx'])
    expect(file).toMatchObject({ path: 'm.onnx', size: content.length, sha256: createHash('sha256').update(content).digest('hex') })
    await expect(hubFiles(hub.url, 'o/r', 'main', ['missing.json'])).rejects.toThrow(/o\/r at revision main has no file missing\.json/)
  })

  it('starts over when a part is as long as the file but wrong, after deleting it', async () => {
    const [file] = await hubFiles(hub.url, 'o/r', 'main', ['m.onnx'])
    const part = join(dir.path, 'out', 'm.onnx.part')
    await mkdir(join(dir.path, 'out'))
    await writeFile(part, Buffer.alloc(content.length))
    await expect(downloadFile({ url: resolveUrl(hub.url, 'o/r', 'main', 'm.onnx'), file: file!, partPath: part })).rejects.toBeInstanceOf(ChecksumError)
    await expect(stat(part)).rejects.toThrow(/ENOENT/)
    const result = await downloadFile({ url: resolveUrl(hub.url, 'o/r', 'main', 'm.onnx'), file: file!, partPath: part })
    expect(result).toMatchObject({ size: content.length, resumedFrom: 0, fetched: content.length })
    expect((await readFile(part)).equals(content)).toBe(true)
  })

  it('reports progress from the resumed offset to the total', async () => {
    const [file] = await hubFiles(hub.url, 'o/r', 'main', ['m.onnx'])
    const part = join(dir.path, 'm.onnx.part')
    await writeFile(part, content.subarray(0, 10_000))
    const seen: number[] = []
    const result = await downloadFile({ url: resolveUrl(hub.url, 'o/r', 'main', 'm.onnx'), file: file!, partPath: part, onProgress: p => { seen.push(p.done) } })
    expect(result).toMatchObject({ resumedFrom: 10_000, fetched: content.length - 10_000 })
    expect(seen[0]).toBe(10_000)
    expect(seen.at(-1)).toBe(content.length)
    expect(hub.requests.filter(r => r.path.startsWith('/files/')).map(r => [r.range, r.status])).toEqual([['bytes=10000-', 206]])
  })
})

describe('the pull progress', () => {
  const events = (progress: ReturnType<typeof pullProgress>): void => {
    progress.onEvent({ type: 'files', files: [{ path: 'a.json', size: 1000, gitSha1: 'x' }, { path: 'm.onnx', size: 2_000_000, gitSha1: 'y', sha256: 'z' }], total: 2_001_000 })
    progress.onEvent({ type: 'file', path: 'a.json', result: { sha256: 's', size: 1000, resumedFrom: 0, fetched: 1000 } })
    progress.onEvent({ type: 'progress', progress: { path: 'm.onnx', done: 500_000, total: 2_000_000 } })
    progress.onEvent({ type: 'file', path: 'm.onnx', result: { sha256: 's', size: 2_000_000, resumedFrom: 500_000, fetched: 1_500_000 } })
    progress.end()
  }

  it('is one line per file when stderr is not a terminal', () => {
    const out: string[] = []
    events(pullProgress({ write: (t: string) => out.push(t), isTTY: false }))
    expect(out.join('')).toBe('2 files, 2.0 MB\na.json  1.0 kB  checked\nm.onnx: resuming at 500.0 kB\nm.onnx  2.0 MB  checked, resumed at 500.0 kB\n')
  })

  it('is a bar redrawn in place on a terminal: bytes done of the total, and the rate', () => {
    const out: string[] = []
    let t = 0
    events(pullProgress({ write: (s: string) => out.push(s), isTTY: true }, () => (t += 1000)))
    const last = out.at(-2) ?? ''
    expect(last.startsWith('\r\x1b[K[########################] 2.0 MB / 2.0 MB')).toBe(true)
    expect(last).toMatch(/\d+\.\d kB\/s {2}m\.onnx$/)
    expect(out.at(-1)).toBe('\n')
  })

  it('formats bytes', () => {
    expect([formatBytes(999), formatBytes(22_928_619), formatBytes(3e9)]).toEqual(['999 B', '22.9 MB', '3.0 GB'])
  })
})
