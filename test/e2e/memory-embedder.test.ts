import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { testModel } from '../helpers/model.js'
import { tempDir } from '../helpers/tmp.js'

const C = 'devsupport'
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--community', C]

describe('the embedder a node starts with', () => {
  it('without a model: says so once, naming the command that gets it, and runs on the lexical embedder', async () => {
    const dir = await tempDir()
    try {
      const models = join(dir.path, 'models')
      const node = await startNodeProcess(['--data-dir', join(dir.path, 'n1'), '--model-dir', models, ...LOOPBACK], { OA_EMBEDDER: 'auto' })
      try {
        const stats = await runCli(['memory', 'stats', '--json', '--data-dir', join(dir.path, 'n1')])
        expect(stats.code, stats.stderr).toBe(0)
        expect(JSON.parse(stats.stdout)).toMatchObject({ embedder: 'lexical-v2', dimension: 1024 })
      } finally {
        expect(await node.stop()).toBe(0)
      }
      const said = node.stderr().split('\n').filter(l => l.includes('the embedding model all-minilm-l6-v2 is not in'))
      expect(said).toHaveLength(1)
      expect(said[0]).toContain(`oa-node models pull all-minilm-l6-v2 --model-dir ${models}`)
    } finally {
      await dir.cleanup()
    }
  })

  it('with the model: embeds by meaning; memory written on the lexical embedder before is re-embedded at start and found by meaning', async () => {
    const model = await testModel()
    const dir = await tempDir()
    try {
      const dataDir = join(dir.path, 'n1')
      const lexical = await startNodeProcess(['--data-dir', dataDir, ...LOOPBACK], { OA_EMBEDDER: 'lexical' })
      try {
        const added = await runCli(['memory', 'add', C, 'An asyncio task that awaits a future nobody resolves hangs forever; add timeouts', '--data-dir', dataDir])
        expect(added.code, added.stderr).toBe(0)
        expect((await runCli(['memory', 'add', C, 'Use a multi-stage Dockerfile to keep images small', '--data-dir', dataDir])).code).toBe(0)
      } finally {
        expect(await lexical.stop()).toBe(0)
      }
      const neural = await startNodeProcess(['--data-dir', dataDir, '--model-dir', join(model.dir, '..'), ...LOOPBACK], { OA_EMBEDDER: 'auto' })
      try {
        expect(neural.stderr()).toMatch(/re-embedding its records with all-minilm-l6-v2@/)
        const stats = JSON.parse((await runCli(['memory', 'stats', '--json', '--data-dir', dataDir])).stdout) as { embedder: string, dimension: number, communities: Record<string, { records: number }> }
        expect(stats).toMatchObject({ embedder: expect.stringMatching(/^all-minilm-l6-v2@[0-9a-f]{12}$/) as unknown, dimension: 384 })
        expect(stats.communities[C]?.records).toBe(2)
        const found = await runCli(['memory', 'search', C, 'my coroutine never finishes', '--mode', 'vector', '-k', '1', '--json', '--data-dir', dataDir])
        expect(found.code, found.stderr).toBe(0)
        expect(found.stdout).toContain('awaits a future nobody resolves')
      } finally {
        expect(await neural.stop()).toBe(0)
      }
    } finally {
      await dir.cleanup()
    }
  })
})
