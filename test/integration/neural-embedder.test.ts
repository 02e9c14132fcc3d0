import { createHash } from 'node:crypto'
import { appendFile, copyFile, cp, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MEMORY_DEFAULTS } from '../../src/memory/config.js'
import { EmbedderError } from '../../src/memory/errors.js'
import { NeuralEmbedder } from '../../src/memory/embedders/neural.js'
import { LazyNeuralEmbedder } from '../../src/memory/embedders/lazy-neural.js'
import { LexicalEmbedder } from '../../src/memory/embedders/lexical.js'
import { chooseEmbedder } from '../../src/memory/embedders/select.js'
import { EndpointHealth } from '../../src/endpoints/health.js'
import { DEFAULTS } from '../../src/config/schema.js'
import { testModel } from '../helpers/model.js'
import { tempDir } from '../helpers/tmp.js'
import type { InstalledModel } from '../../src/models/manifest.js'

const cosine = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0)
const watch = (endpoint: 'embedder', address: string): EndpointHealth => new EndpointHealth(endpoint, address, 'memory calls fail')

describe('the neural embedder', () => {
  let model: InstalledModel
  let embedder: NeuralEmbedder
  beforeAll(async () => {
    model = await testModel()
    embedder = await NeuralEmbedder.load(model)
  })
  afterAll(async () => { await embedder.close() })

  it('names its model and weights, and gives unit vectors of the model\'s dimension, the same for the same text', async () => {
    expect(embedder.name).toMatch(/^all-minilm-l6-v2@[0-9a-f]{12}$/)
    expect(embedder.name.slice(-12)).toBe(model.manifest.files[model.manifest.onnx]?.sha256.slice(0, 12))
    expect(embedder.dimension).toBe(384)
    const [a, b, again] = await embedder.embed(['My asyncio task hangs', '', 'My asyncio task hangs'])
    expect(a).toHaveLength(384)
    expect(cosine(a!, a!)).toBeCloseTo(1, 5)
    expect(b).toHaveLength(384)
    expect(again).toEqual(a)
  })

  it('puts a paraphrase closer than a text about something else, where words alone cannot', async () => {
    const [q, paraphrase, other] = await embedder.embed(['my coroutine never finishes once it runs in a pod', 'My asyncio task hangs when I deploy it to Kubernetes', 'What is the best pizza dough hydration?'])
    expect(cosine(q!, paraphrase!)).toBeGreaterThan(cosine(q!, other!) + 0.2)
    const lexical = new LexicalEmbedder()
    const [lq, lp] = await lexical.embed(['my coroutine never finishes once it runs in a pod', 'My asyncio task hangs when I deploy it to Kubernetes'])
    expect(cosine(q!, paraphrase!)).toBeGreaterThan(cosine(lq!, lp!))
  })

  it('embeds a text longer than the model\'s token limit, and keeps the order of a batch whatever the lengths', async () => {
    const long = 'asyncio '.repeat(2000)
    const texts = ['short', long, 'a somewhat longer text about HNSW indexes', 'x']
    const together = await embedder.embed(texts)
    const apart = await Promise.all(texts.map(async t => (await embedder.embed([t]))[0]))
    together.forEach((v, i) => { expect(cosine(v, apart[i] ?? [])).toBeCloseTo(1, 4) })
  })

  it('names the file it cannot load', async () => {
    const dir = await tempDir()
    try {
      const folder = join(dir.path, model.manifest.name)
      await mkdir(folder, { recursive: true })
      await copyFile(join(model.dir, model.manifest.tokenizer), join(folder, model.manifest.tokenizer))
      await copyFile(join(model.dir, model.manifest.tokenizerConfig), join(folder, model.manifest.tokenizerConfig))
      await writeFile(join(folder, model.manifest.onnx), 'not an onnx graph')
      // weights other than the manifest's are refused before they run
      await expect(NeuralEmbedder.load({ dir: folder, manifest: model.manifest })).rejects.toThrow(/does not match its manifest .*models pull all-minilm-l6-v2 --force/)
      const garbage = { ...model.manifest, files: { ...model.manifest.files, [model.manifest.onnx]: { sha256: createHash('sha256').update('not an onnx graph').digest('hex'), size: 17 } } }
      await expect(NeuralEmbedder.load({ dir: folder, manifest: garbage })).rejects.toThrow(new RegExp(`cannot load the model all-minilm-l6-v2 from ${join(folder, model.manifest.onnx)}`))
      await expect(NeuralEmbedder.load({ dir: join(dir.path, 'nowhere'), manifest: model.manifest })).rejects.toThrow(/cannot read the tokenizer file .*nowhere.*tokenizer/)
    } finally {
      await dir.cleanup()
    }
  })
})

describe('choosing the embedder (memory.embedder)', () => {
  it('auto: the neural model when its files are there, loaded when it first embeds, under the name and with the vectors of the model itself', async () => {
    const model = await testModel()
    const choice = await chooseEmbedder({ ...MEMORY_DEFAULTS, embedder: 'auto', modelDir: join(model.dir, '..') }, DEFAULTS.llm, watch)
    expect(choice.notice).toBeUndefined()
    const lazy = choice.embedder
    if (!(lazy instanceof LazyNeuralEmbedder)) throw new Error(`auto chose ${lazy.name}, not the lazily loaded model`)
    expect(lazy.loaded).toBe(false)
    const direct = await NeuralEmbedder.load(model)
    try {
      expect([lazy.name, lazy.dimension]).toEqual([direct.name, direct.dimension])
      const texts = ['my asyncio task hangs', 'pin numpy below 2 for the legacy service']
      const [got, expected] = await Promise.all([lazy.embed(texts), direct.embed(texts)])
      expect(lazy.loaded).toBe(true)
      expect(got).toEqual(expected)
    } finally {
      await lazy.close()
      await direct.close()
    }
    expect(lazy.loaded).toBe(false)
    await expect(lazy.embed(['after close'])).rejects.toThrow(/was closed/)
  })

  it('a model file altered after install is refused when the embedder is opened, not at its first use', async () => {
    const model = await testModel()
    const dir = await tempDir()
    try {
      const folder = join(dir.path, 'all-minilm-l6-v2')
      await cp(model.dir, folder, { recursive: true })
      await appendFile(join(folder, model.manifest.onnx), 'x')
      await expect(LazyNeuralEmbedder.open({ dir: folder, manifest: model.manifest })).rejects.toThrow(/does not match its manifest/)
    } finally {
      await dir.cleanup()
    }
  })

  it('auto without the model: the lexical embedder, and a notice naming the folder and the pull command; neural without it: an error', async () => {
    const dir = await tempDir()
    try {
      const choice = await chooseEmbedder({ ...MEMORY_DEFAULTS, embedder: 'auto', modelDir: dir.path }, DEFAULTS.llm, watch)
      expect(choice.embedder.name).toBe('lexical-v2')
      expect(choice.notice).toContain(`the embedding model all-minilm-l6-v2 is not in ${dir.path}`)
      expect(choice.notice).toContain(`oa-node models pull all-minilm-l6-v2 --model-dir ${dir.path}`)
      await expect(chooseEmbedder({ ...MEMORY_DEFAULTS, embedder: 'neural', modelDir: dir.path }, DEFAULTS.llm, watch)).rejects.toThrow(EmbedderError)
      await expect(chooseEmbedder({ ...MEMORY_DEFAULTS, embedder: 'neural', modelDir: dir.path }, DEFAULTS.llm, watch)).rejects.toThrow(/memory.embedder is neural, but the embedding model all-minilm-l6-v2 is not in .*models pull/)
    } finally {
      await dir.cleanup()
    }
  })

  it('auto with a broken manifest: the lexical embedder and a notice naming the file; neural: an error naming it', async () => {
    const dir = await tempDir()
    try {
      await mkdir(join(dir.path, 'all-minilm-l6-v2'))
      await writeFile(join(dir.path, 'all-minilm-l6-v2', 'oa-model.json'), '{"name": "all-minilm-l6-v2"}')
      const choice = await chooseEmbedder({ ...MEMORY_DEFAULTS, embedder: 'auto', modelDir: dir.path }, DEFAULTS.llm, watch)
      expect(choice.embedder.name).toBe('lexical-v2')
      expect(choice.notice).toMatch(/cannot be used: .*oa-model\.json/)
      await writeFile(join(dir.path, 'all-minilm-l6-v2', 'oa-model.json'), JSON.stringify({ name: 'all-minilm-l6-v2', source: 'x', dimension: 384, pooling: 'mean', maxTokens: 256, onnx: '../../etc/passwd', tokenizer: 't.json', tokenizerConfig: 'c.json', files: {} }))
      expect((await chooseEmbedder({ ...MEMORY_DEFAULTS, embedder: 'auto', modelDir: dir.path }, DEFAULTS.llm, watch)).notice).toMatch(/"\.\.\/\.\.\/etc\/passwd" is not a path inside the model's folder/)
      await expect(chooseEmbedder({ ...MEMORY_DEFAULTS, embedder: 'neural', modelDir: dir.path }, DEFAULTS.llm, watch)).rejects.toThrow(/oa-model\.json.*reinstall it with/)
    } finally {
      await dir.cleanup()
    }
  })
})
