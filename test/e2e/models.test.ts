import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { startModelHub } from '../helpers/model-hub.js'
import type { FakeModelHub } from '../helpers/model-hub.js'
import { tempDir } from '../helpers/tmp.js'

const REPO = 'Xenova/all-MiniLM-L6-v2'
const ONNX = 'onnx/model_quantized.onnx'

function sha256 (content: Buffer): string {
  return createHash('sha256').update(content).digest('hex')
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

describe('oa-node models pull and list', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let hub: FakeModelHub
  let models: string
  const files: Record<string, Buffer> = {}

  beforeEach(async () => {
    dir = await tempDir('oa-models-')
    const repo = join(dir.path, 'hub', REPO)
    await mkdir(join(repo, 'onnx'), { recursive: true })
    files[ONNX] = randomBytes(300_000)
    files['tokenizer.json'] = Buffer.from(JSON.stringify({ version: '1.0', model: { type: 'WordPiece', vocab: { '[PAD]': 0, hello: 1 } } }))
    files['tokenizer_config.json'] = Buffer.from(JSON.stringify({ do_lower_case: true, model_max_length: 512 }))
    files['README.md'] = Buffer.from('# a file the pull does not need\n')
    for (const [path, content] of Object.entries(files)) await writeFile(join(repo, path), content)
    hub = await startModelHub(join(dir.path, 'hub'))
    models = join(dir.path, 'models')
  })

  afterEach(async () => {
    await hub.close()
    await dir.cleanup()
  })

  const pull = async (...args: string[]): ReturnType<typeof runCli> => runCli(['models', 'pull', '--model-dir', models, '--hub-url', hub.url, ...args])
  const folder = (): string => join(models, 'all-minilm-l6-v2')

  it('pulls a model: its files, checked, then the manifest with every sha256; a second pull downloads nothing', async () => {
    const out = await pull('--json')
    expect(out.code, out.stderr).toBe(0)
    const result = JSON.parse(out.stdout) as { name: string, alreadyInstalled: boolean, source: string, fetched: number }
    expect(result).toMatchObject({ name: 'all-minilm-l6-v2', alreadyInstalled: false, source: `${hub.url}/${REPO}@main` })
    expect(result.fetched).toBe(files[ONNX]!.length + files['tokenizer.json']!.length + files['tokenizer_config.json']!.length)
    for (const path of [ONNX, 'tokenizer.json', 'tokenizer_config.json']) {
      expect((await readFile(join(folder(), path))).equals(files[path]!)).toBe(true)
    }
    expect(existsSync(join(folder(), 'README.md'))).toBe(false)
    expect(existsSync(join(folder(), '.partial'))).toBe(false)
    const manifest = JSON.parse(await readFile(join(folder(), 'oa-model.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toEqual({
      name: 'all-minilm-l6-v2',
      source: `${hub.url}/${REPO}@main`,
      dimension: 384,
      pooling: 'mean',
      maxTokens: 256,
      onnx: ONNX,
      tokenizer: 'tokenizer.json',
      tokenizerConfig: 'tokenizer_config.json',
      files: Object.fromEntries([ONNX, 'tokenizer.json', 'tokenizer_config.json'].map(p => [p, { sha256: sha256(files[p]!), size: files[p]!.length }]))
    })
    // the files came through the resolve URLs, redirected
    expect(hub.requests.filter(r => r.path.startsWith(`/${REPO}/resolve/main/`)).map(r => r.status)).toEqual([302, 302, 302])

    const before = hub.requests.length
    const again = await pull()
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/all-minilm-l6-v2 is already installed in .*nothing downloaded \(--force downloads it again\)/)
    expect(hub.requests.length).toBe(before)

    const forced = await pull('--force', '--json')
    expect(forced.code, forced.stderr).toBe(0)
    expect(JSON.parse(forced.stdout)).toMatchObject({ alreadyInstalled: false, fetched: result.fetched })
  })

  it('takes the hub from HF_ENDPOINT when --hub-url is not given, and pins --revision', async () => {
    const out = await runCli(['models', 'pull', 'bge-small-en-v1.5', '--model-dir', models, '--revision', 'v1.0'], { env: { HF_ENDPOINT: hub.url } })
    // the fake hub holds only the MiniLM repo: the error shows the request went to HF_ENDPOINT, at the revision
    expect(out.code).toBe(1)
    expect(out.stderr).toContain(`GET ${hub.url}/api/models/Xenova/bge-small-en-v1.5/tree/v1.0`)
    expect(out.stderr).toContain('is not on the hub (404)')

    const ok = await runCli(['models', 'pull', '--model-dir', models, '--revision', 'v1.0', '--json'], { env: { HF_ENDPOINT: hub.url } })
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ source: `${hub.url}/${REPO}@v1.0` })
    expect(hub.requests.some(r => r.path === `/api/models/${REPO}/tree/v1.0/onnx`)).toBe(true)
  })

  it('resumes an interrupted download with a Range request', async () => {
    hub.cutAfter(ONNX, 100_000)
    const first = await pull()
    expect(first.code).toBe(1)
    expect(first.stderr).toMatch(/the download from .*model_quantized\.onnx (broke off|ended after)/)
    expect(existsSync(join(folder(), 'oa-model.json'))).toBe(false)
    const part = join(folder(), '.partial', `${ONNX}.part`)
    const kept = (await stat(part)).size
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(100_000)

    const list = await runCli(['models', 'list', '--model-dir', models])
    expect(list.stdout).toContain('broken: all-minilm-l6-v2: no oa-model.json: a pull did not finish')

    const second = await pull()
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`${ONNX}: resuming at`)
    // the Range header goes to the resolve URL and, through its redirect, to the file
    const ranged = hub.requests.filter(r => r.range != null)
    expect(ranged.map(r => [r.path, r.range, r.status])).toEqual([
      [`/${REPO}/resolve/main/${ONNX}`, `bytes=${kept}-`, 302],
      [`/files/${REPO}/${ONNX}`, `bytes=${kept}-`, 206]
    ])
    expect((await readFile(join(folder(), ONNX))).equals(files[ONNX]!)).toBe(true)
    expect(existsSync(join(folder(), 'oa-model.json'))).toBe(true)
  })

  it('starts a part over when the server answers a Range request with the whole file', async () => {
    hub.cutAfter(ONNX, 50_000)
    expect((await pull()).code).toBe(1)
    hub.ignoreRange()
    const second = await pull('--json')
    expect(second.code, second.stderr).toBe(0)
    expect(hub.requests.filter(r => r.range != null && r.path.startsWith('/files/')).map(r => r.status)).toEqual([200])
    expect((await readFile(join(folder(), ONNX))).equals(files[ONNX]!)).toBe(true)
  })

  it('fails on a file whose checksum differs, deletes it and writes no manifest', async () => {
    hub.corrupt(ONNX)
    const out = await pull()
    expect(out.code).toBe(1)
    const bad = sha256(Buffer.from(files[ONNX]!.map(b => b ^ 0xff)))
    expect(out.stderr).toContain(`${ONNX}: sha256 checksum mismatch, expected ${sha256(files[ONNX]!)}, got ${bad}`)
    expect(existsSync(join(folder(), 'oa-model.json'))).toBe(false)
    expect(existsSync(join(folder(), '.partial', `${ONNX}.part`))).toBe(false)
    expect(existsSync(join(folder(), ONNX))).toBe(false)
  })

  it('keeps the installed model when a --force pull fails its checksum', async () => {
    expect((await pull()).code).toBe(0)
    const manifest = await readFile(join(folder(), 'oa-model.json'), 'utf8')
    hub.corrupt(ONNX)
    const out = await pull('--force')
    expect(out.code).toBe(1)
    expect(out.stderr).toContain(`${ONNX}: sha256 checksum mismatch`)
    expect(await readFile(join(folder(), 'oa-model.json'), 'utf8')).toBe(manifest)
    expect((await readFile(join(folder(), ONNX))).equals(files[ONNX]!)).toBe(true)
    const verify = await runCli(['models', 'list', '--model-dir', models, '--verify'])
    expect(verify.code, verify.stdout).toBe(0)
  })

  it('checks a file outside LFS by its git blob sha1', async () => {
    hub.corrupt('tokenizer.json')
    const out = await pull()
    expect(out.code).toBe(1)
    const expected = createHash('sha1').update(`blob ${files['tokenizer.json']!.length}\0`).update(files['tokenizer.json']!).digest('hex')
    expect(out.stderr).toMatch(new RegExp(`tokenizer\\.json: sha1 checksum mismatch, expected ${expected}, got [0-9a-f]{40}`))
    expect(existsSync(join(folder(), 'oa-model.json'))).toBe(false)
  })

  it('names the URL and --hub-url when the hub cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const out = await runCli(['models', 'pull', '--model-dir', models, '--hub-url', url])
    expect(out.code).toBe(1)
    expect(out.stderr).toContain(`cannot reach the model hub: GET ${url}/api/models/${REPO}/tree/main`)
    expect(out.stderr).toContain('ECONNREFUSED')
    expect(out.stderr).toContain('--hub-url (or HF_ENDPOINT)')
    expect(existsSync(folder())).toBe(false)
  })

  it('lists the pulled model and the default; --verify catches a tampered file', async () => {
    const empty = await runCli(['models', 'list', '--model-dir', models])
    expect(empty.code).toBe(0)
    expect(empty.stdout).toMatch(new RegExp(`no models installed; (npx )?oa-node models pull --model-dir ${models} downloads all-minilm-l6-v2`))

    expect((await pull()).code).toBe(0)
    const list = await runCli(['models', 'list', '--model-dir', models])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toMatch(new RegExp(`all-minilm-l6-v2 \\(default\\)\\s+384\\s+mean\\s+\\d+\\.\\d kB\\s+${hub.url.replace(/[.]/g, '\\.')}/${REPO}@main`))
    expect(list.stdout).toContain('the node uses all-minilm-l6-v2 by default')
    const json = JSON.parse((await runCli(['models', 'list', '--model-dir', models, '--json'])).stdout) as { models: Array<{ name: string, bytes: number }>, broken: unknown[] }
    const manifest = JSON.parse(await readFile(join(folder(), 'oa-model.json'), 'utf8')) as { files: Record<string, { size: number }> }
    const total = Object.values(manifest.files).reduce((n, f) => n + f.size, 0)
    expect(json.models.map(m => m.name)).toEqual(['all-minilm-l6-v2'])
    expect(json.models[0]!.bytes).toBeGreaterThan(total)
    expect(json.broken).toEqual([])

    // same size, other bytes: only the sha256 tells
    const tampered = Buffer.from(files['tokenizer_config.json']!)
    tampered[0] = tampered[0]! ^ 0x01
    await writeFile(join(folder(), 'tokenizer_config.json'), tampered)
    expect((await runCli(['models', 'list', '--model-dir', models])).code).toBe(0)
    const verify = await runCli(['models', 'list', '--model-dir', models, '--verify'])
    expect(verify.code).toBe(1)
    expect(verify.stdout).toContain(`broken: all-minilm-l6-v2: tokenizer_config.json: sha256 is ${sha256(tampered)}, the manifest says ${sha256(files['tokenizer_config.json']!)}`)
    expect(verify.stdout).toMatch(/the node uses all-minilm-l6-v2 by default, which is broken: (npx )?oa-node models pull --model-dir .* --force downloads it again/)
  })

  it('pulls a model again when a file its manifest lists is missing', async () => {
    expect((await pull()).code).toBe(0)
    await rm(join(folder(), ONNX))
    const list = await runCli(['models', 'list', '--model-dir', models])
    expect(list.stdout).toContain(`broken: all-minilm-l6-v2: ${ONNX}: missing`)
    const again = await pull('--json')
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyInstalled: false })
    expect((await readFile(join(folder(), ONNX))).equals(files[ONNX]!)).toBe(true)
  })

  it('names a broken manifest', async () => {
    await mkdir(join(models, 'other'), { recursive: true })
    await writeFile(join(models, 'other', 'oa-model.json'), '{"name":"other"')
    const list = await runCli(['models', 'list', '--model-dir', models])
    expect(list.stdout).toMatch(/broken: other: .*oa-model\.json is not JSON/)
  })

  it('an unknown model name is a usage error listing the catalog', async () => {
    const out = await pull('gpt-17')
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('no model named gpt-17 to pull; the models are: all-minilm-l6-v2, bge-small-en-v1.5')
    expect(hub.requests).toEqual([])
  })
})
