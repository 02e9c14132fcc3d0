import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DataDirError, ensureDataDir, IdentityError, identityPath, loadOrCreateIdentity, lockDataDir, readPeerId } from '../../src/node/index.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tempDir } from '../helpers/tmp.js'

let dir: { path: string, cleanup: () => Promise<void> }
beforeEach(async () => { dir = await tempDir() })
afterEach(async () => { await dir.cleanup() })

describe('identity', () => {
  it('creates an Ed25519 key with mode 0600 on first use and returns the same peer id afterwards', async () => {
    const key = await loadOrCreateIdentity(dir.path)
    expect(key.type).toBe('Ed25519')
    const info = await stat(identityPath(dir.path))
    expect(info.mode & 0o777).toBe(0o600)
    const again = await loadOrCreateIdentity(dir.path)
    expect(peerIdFromPrivateKey(again).toString()).toBe(peerIdFromPrivateKey(key).toString())
    expect((await readPeerId(dir.path))?.toString()).toBe(peerIdFromPrivateKey(key).toString())
  })

  it('refuses a corrupt key file, names it, and leaves it untouched', async () => {
    const path = identityPath(dir.path)
    await writeFile(path, 'this is not a key')
    await expect(loadOrCreateIdentity(dir.path)).rejects.toThrow(IdentityError)
    await expect(loadOrCreateIdentity(dir.path)).rejects.toThrow(path)
    expect(await readFile(path, 'utf8')).toBe('this is not a key')
  })
})

describe('data dir', () => {
  it('creates a missing data dir', async () => {
    const path = join(dir.path, 'a', 'b')
    await ensureDataDir(path)
    expect((await stat(path)).isDirectory()).toBe(true)
  })

  it('rejects a data dir that is a file or lies under a file', async () => {
    const file = join(dir.path, 'file')
    await writeFile(file, 'x')
    await expect(ensureDataDir(file)).rejects.toThrow(DataDirError)
    await expect(ensureDataDir(join(file, 'sub'))).rejects.toThrow(/cannot be created or written \(ENOTDIR\)/)
  })

  it('lets one node at a time hold a data dir and takes over a stale lock', async () => {
    const lock = await lockDataDir(dir.path)
    await expect(lockDataDir(dir.path)).rejects.toThrow(/in use by another node in this process/)
    await lock.release()
    // a lock held by another live process
    await writeFile(join(dir.path, 'node.lock'), String(process.ppid))
    await expect(lockDataDir(dir.path)).rejects.toThrow(/in use by another oa-node \(pid/)
    // a lock left by a process that is gone
    await writeFile(join(dir.path, 'node.lock'), '999999999')
    const taken = await lockDataDir(dir.path)
    expect(await readFile(join(dir.path, 'node.lock'), 'utf8')).toBe(String(process.pid))
    await taken.release()
  })
})
