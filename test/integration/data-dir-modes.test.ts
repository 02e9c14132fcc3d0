import { chmod, lstat, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveApi } from '../../src/api/index.js'
import { loadOrCreateIdentity } from '../../src/node/identity.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'

const C = 'devsupport'

/** Every file and folder under `dir` (itself included) whose mode is not 0600 / 0700. */
async function notPrivate (dir: string): Promise<string[]> {
  const wrong: string[] = []
  const info = await lstat(dir)
  if ((info.mode & 0o777) !== 0o700) wrong.push(`${dir} ${(info.mode & 0o777).toString(8)}`)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      wrong.push(...await notPrivate(path))
      continue
    }
    // a store's temporary file may be renamed away between the listing and this look
    const mode = await lstat(path).then(s => s.mode & 0o777, (err: unknown) => { if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; throw err })
    if (mode != null && mode !== 0o600) wrong.push(`${path} ${mode.toString(8)}`)
  }
  return wrong
}

describe('files a node writes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let umask: number

  beforeAll(async () => {
    dir = await tempDir('oa-modes-')
    umask = process.umask(0)
  })

  afterAll(async () => {
    process.umask(umask)
    await dir.cleanup()
  })

  it('are 0600 and folders 0700 inside a pre-made 0755 data dir with umask 0, loose files left there included', async () => {
    const dataDir = join(dir.path, 'n1')
    await mkdir(join(dataDir, 'memory'), { recursive: true, mode: 0o755 })
    await chmod(dataDir, 0o755)
    await chmod(join(dataDir, 'memory'), 0o755)
    // files an earlier run (or a user) left readable by everyone
    await loadOrCreateIdentity(dataDir)
    await chmod(join(dataDir, 'identity.key'), 0o644)
    await writeFile(join(dataDir, 'api.token'), `${'ab'.repeat(32)}\n`, { mode: 0o644 })
    await writeFile(join(dataDir, 'memory', 'notes.txt'), 'left by hand\n', { mode: 0o666 })

    const node = await startTestNode(dir.path, 'n1', { communities: [C], memory: { capture: { '*': [] } } })
    const api = await serveApi(node, { port: 0 })
    try {
      await node.libp2p.services.channels.post({ community: C, channel: 'general', text: 'a post in channels.db and its WAL' })
      await node.libp2p.services.memory.remember(C, { text: 'a record written by the store process', id: 'note-1' })
      const names = await readdir(dataDir)
      expect(names).toEqual(expect.arrayContaining(['api.json', 'api.token', 'identity.key', 'node.lock', 'channels.db', 'channels.db-wal', 'channels.db-shm', 'memory']))
      expect((await readdir(join(dataDir, 'memory'), { recursive: true })).length).toBeGreaterThan(3)
      expect(await notPrivate(dataDir)).toEqual([])
    } finally {
      await api.stop()
      await node.stop()
    }
    expect(await notPrivate(dataDir)).toEqual([])
  })
})
