import { lstat, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../src/api/index.js'
import { startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']

/** Every file and folder under `dir` (itself included) whose mode is not 0600 / 0700. */
async function notPrivate (dir: string): Promise<string[]> {
  const wrong: string[] = []
  if (((await lstat(dir)).mode & 0o777) !== 0o700) wrong.push(dir)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) wrong.push(...await notPrivate(path))
    else if (((await lstat(path)).mode & 0o777) !== 0o600) wrong.push(`${path} ${((await lstat(path)).mode & 0o777).toString(8)}`)
  }
  return wrong
}

describe('oa-node start under umask 0', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let umask: number

  beforeAll(async () => {
    dir = await tempDir('oa-modes-e2e-')
    // the node process inherits it
    umask = process.umask(0)
  })

  afterAll(async () => {
    process.umask(umask)
    await dir.cleanup()
  })

  it('keeps every file 0600 and folder 0700, the memory store\'s database and index included', async () => {
    const dataDir = join(dir.path, 'n1')
    await mkdir(dataDir, { mode: 0o755 })
    const node = await startNodeProcess(['--community', 'devsupport', '--data-dir', dataDir, ...LOOPBACK])
    try {
      const api = await ApiClient.fromDataDir(dataDir)
      await api.post('/v1/communities/devsupport/memory', { text: 'written into SQLite in the node process' })
      await api.post('/v1/communities/devsupport/channels/general/messages', { text: 'and a post' })
      expect((await readdir(join(dataDir, 'memory'), { recursive: true })).length).toBeGreaterThan(2)
      expect(await notPrivate(dataDir)).toEqual([])
    } finally {
      expect(await node.stop()).toBe(0)
    }
  })
})
