import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

interface ClusterReport { nodes: Array<{ name: string, dataDir: string, peerId: string }> }

describe('channels through the CLI of a 3-process cluster', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let cluster: ChildProcessWithoutNullStreams
  let report: ClusterReport
  const dataDir = (i: number): string => report.nodes[i]!.dataDir

  beforeAll(async () => {
    dir = await tempDir()
    cluster = spawn(process.execPath, [BIN, 'cluster', '--nodes', '3', '--community', 'devsupport', '--json', '--data-dir', join(dir.path, 'c')])
    let stdout = ''
    cluster.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    const line = await waitFor('cluster started', () => stdout.includes('\n') ? stdout.split('\n')[0] : undefined, 60_000)
    report = JSON.parse(line) as ClusterReport
    for (let i = 0; i < 3; i++) {
      await waitFor(`node ${i + 1} sees 2 peers`, async () => {
        const r = await runCli(['status', '--json', '--data-dir', dataDir(i)])
        return (JSON.parse(r.stdout) as { peers: number }).peers >= 2
      })
    }
  })

  afterAll(async () => {
    cluster.kill('SIGINT')
    await new Promise(resolve => cluster.once('exit', resolve))
    await dir.cleanup()
  })

  it('`post` on one node reaches `tail` running on another', async () => {
    const first = await runCli(['post', 'devsupport/general', 'How do I tune HNSW ef?', '--json', '--data-dir', dataDir(0)])
    expect(first.code).toBe(0)
    const firstId = (JSON.parse(first.stdout) as { id: string }).id
    await waitFor('node 3 stored the first post', async () => (await runCli(['history', 'devsupport/general', '--data-dir', dataDir(2)])).stdout.includes(firstId))

    const tail = spawn(process.execPath, [BIN, 'tail', 'devsupport/general', '--data-dir', dataDir(2)])
    try {
      let out = ''
      tail.stdout.on('data', (d: Buffer) => { out += d.toString() })
      await waitFor('tail printed the history', () => out.includes('How do I tune HNSW ef?'))
      const second = await runCli(['post', 'devsupport/general', 'Raise ef above k, @milvus_expert', '--as', 'helper', '--data-dir', dataDir(1)])
      expect(second.code).toBe(0)
      expect(second.stdout).toMatch(/^posted \S+ to devsupport\/general/)
      await waitFor('tail printed the live post', () => out.includes('Raise ef above k, @milvus_expert'))
      expect(out).toMatch(/helper@…\S+ {2}Raise ef above k/)
    } finally {
      tail.kill('SIGINT')
    }
    expect(await new Promise(resolve => tail.once('exit', resolve))).toBe(0)

    const history = await runCli(['history', 'devsupport/general', '--json', '--data-dir', dataDir(2)])
    const lines = history.stdout.trim().split('\n').map(l => JSON.parse(l) as { payload: { text: string } })
    expect(lines.map(l => l.payload.text)).toEqual(['How do I tune HNSW ef?', 'Raise ef above k, @milvus_expert'])
  })

  it('refuses bad input with exit code 2 and a message naming it', async () => {
    const cases: Array<[string[], string]> = [
      [['post', 'nope/general', 'x'], 'has not joined community "nope"'],
      [['post', 'devsupport/Bad', 'x'], '"Bad" is not a valid channel name'],
      [['post', 'devsupport/general', ''], 'the message text is empty'],
      [['post', 'devsupport', 'x'], '"devsupport" is not <community>/<channel>'],
      [['history', 'devsupport/general', '--limit', 'many'], 'expected a whole number, got "many"']
    ]
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--data-dir', dataDir(0)])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(message)
    }
  })
})
