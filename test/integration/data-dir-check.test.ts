import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkDataDir } from '../../src/node/check-data-dir.js'
import { DataDirError } from '../../src/node/errors.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import type { DataDirCheck } from '../../src/node/check-data-dir.js'

const C = 'devsupport'

/** A stopped node's data dir holding `records` memory records and `posts` channel messages. */
async function populated (root: string, name: string, records: number, posts: number): Promise<string> {
  const node = await startTestNode(root, name, { communities: [C], memory: { capture: { '*': [] } } })
  for (let i = 0; i < records; i++) await node.libp2p.services.memory.remember(C, { text: `note ${i} about hnsw ef and recall`, id: `note-${i}` })
  for (let i = 0; i < posts; i++) await node.libp2p.services.channels.post({ community: C, channel: 'general', text: `post ${i}` })
  await node.stop()
  return join(root, name)
}

describe('checking a data dir (oa-node check)', () => {
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeAll(async () => { dir = await tempDir('oa-check-') })
  afterAll(async () => { await dir.cleanup() })

  it('reports a sound data dir part by part, and the CLI exits 0', async () => {
    const dataDir = await populated(dir.path, 'sound', 5, 3)
    const report = await checkDataDir(dataDir)
    expect(report.ok).toBe(true)
    expect(report.identity.present).toBe(true)
    expect(report.identity.peerId).toMatch(/^12D3KooW/)
    expect(report.identity.problems).toEqual([])
    expect(report.channels).toEqual({ present: true, messages: 3, problems: [] })
    expect(report.memory).toMatchObject({ present: true, records: 5, communities: { [C]: 5 }, embedder: 'local-hash-v2', dimension: 1024, problems: [] })
    const cli = await runCli(['check', '--data-dir', dataDir])
    expect(cli.code).toBe(0)
    expect(cli.stdout).toMatch(/channels\s+ok, 3 messages/)
    expect(cli.stdout).toMatch(/memory\s+ok, 5 records \(devsupport 5\), local-hash-v2 1024-d/)
    expect(cli.stdout).toMatch(/result\s+sound/)
  })

  it('verifies community files: a sound private community passes, an altered credential is named and the CLI exits 1', async () => {
    const node = await startTestNode(dir.path, 'trust', { memory: { enabled: false } })
    const created = await node.libp2p.services.communities.create('vault', 'private')
    await node.libp2p.services.communities.invite('vault', { for: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo', role: 'reader' })
    await node.stop()
    const dataDir = join(dir.path, 'trust')
    const sound = await checkDataDir(dataDir)
    expect(sound.communities).toEqual({ communities: [{ name: 'vault', id: created.id, policy: 'private', objects: 4, epoch: 1, keyEpochs: [1], role: 'admin' }], problems: [] })
    expect(sound.ok).toBe(true)
    expect((await runCli(['check', '--data-dir', dataDir])).stdout).toMatch(/communities\s+ok, vault \(private, admin, key epochs 1 of 1\)/)

    // turn the reader's credential into an admin one: its signature no longer holds
    const file = join(dataDir, 'communities', `${created.id}.json`)
    const stored = JSON.parse(await readFile(file, 'utf8')) as { objects: string[] }
    const { CommunityObject } = await import('../../src/wire/generated/community.js')
    stored.objects = stored.objects.map((o) => {
      const object = CommunityObject.decode(Buffer.from(o, 'base64'))
      if (object.kind !== 'credential') return o
      const body = Buffer.from(object.body).toString().replace('"role":"reader"', '"role":"admin"')
      return Buffer.from(CommunityObject.encode({ ...object, body: Buffer.from(body) })).toString('base64')
    })
    await writeFile(file, JSON.stringify(stored))
    const damaged = await checkDataDir(dataDir)
    expect(damaged.ok).toBe(false)
    expect(damaged.communities.problems).toEqual([expect.stringMatching(/object 2: credential signature is not valid/)])
    const cli = await runCli(['check', '--data-dir', dataDir])
    expect(cli.code).toBe(1)
    expect(cli.stdout).toMatch(/communities\s+DAMAGED/)
  })

  it('finds a tampered memory record, a damaged envelope and a corrupt key, and the CLI exits 1 naming each', async () => {
    const dataDir = await populated(dir.path, 'tampered', 4, 2)
    const memory = new DatabaseSync(join(dataDir, 'memory', 'memory.db'))
    memory.prepare("UPDATE records SET text = 'a text its origin never signed' WHERE id = 'note-2'").run()
    memory.close()
    const sqlite = new DatabaseSync(join(dataDir, 'channels.db'))
    const [first] = sqlite.prepare('SELECT id FROM messages').all() as Array<{ id: string }>
    sqlite.prepare('UPDATE messages SET envelope = ? WHERE id = ?').run(Buffer.from([0xff, 0xff, 0xff, 0x0f]), first?.id ?? '')
    sqlite.close()
    await writeFile(join(dataDir, 'identity.key'), 'not a key')

    const report = await checkDataDir(dataDir)
    expect(report.ok).toBe(false)
    expect(report.memory.problems).toEqual([expect.stringContaining('record note-2: bad signature')])
    expect(report.memory.records).toBe(4)
    expect(report.channels.problems).toEqual([expect.stringContaining(`message ${first?.id ?? '?'}: the stored envelope does not decode`)])
    expect(report.identity.problems).toEqual([expect.stringContaining('is corrupt')])
    const cli = await runCli(['check', '--json', '--data-dir', dataDir])
    expect(cli.code).toBe(1)
    expect((JSON.parse(cli.stdout) as DataDirCheck).ok).toBe(false)
    const text = await runCli(['check', '--data-dir', dataDir])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/memory\s+DAMAGED, 4 records/)
    expect(text.stdout).toContain('record note-2: bad signature')
  })

  it('verifies tombstones: a sound one passes, one whose covered seqs were changed is reported', async () => {
    const node = await startTestNode(dir.path, 'tombstones', { communities: [C], memory: { capture: { '*': [] } } })
    for (let i = 0; i < 3; i++) await node.libp2p.services.memory.remember(C, { text: `note ${i}`, id: `note-${i}` })
    await node.libp2p.services.memory.delete(C, 'note-1')
    await node.stop()
    const dataDir = join(dir.path, 'tombstones')
    expect((await checkDataDir(dataDir)).memory).toMatchObject({ records: 3, problems: [] })
    const memory = new DatabaseSync(join(dataDir, 'memory', 'memory.db'))
    expect(memory.prepare("UPDATE records SET covers = '[[1,3]]' WHERE id = 'note-1'").run().changes).toBe(1)
    memory.close()
    const report = await checkDataDir(dataDir)
    expect(report.memory.problems).toEqual([expect.stringContaining('tombstone note-1: bad signature')])
  })

  it('finds a channel history file whose pages are damaged', async () => {
    const dataDir = await populated(dir.path, 'torn', 1, 40)
    const path = join(dataDir, 'channels.db')
    const bytes = await readFile(path)
    expect(bytes.length).toBeGreaterThan(8192)
    // overwrite the second page (the table's first b-tree page) with garbage
    bytes.fill(0x5a, 4096 + 16, 4096 * 2)
    await writeFile(path, bytes)
    const report = await checkDataDir(dataDir)
    expect(report.ok).toBe(false)
    expect(report.channels.problems.length).toBeGreaterThan(0)
    expect(report.memory.problems).toEqual([])
  })

  it('refuses a data dir a running node holds, and one that does not exist', async () => {
    const node = await startTestNode(dir.path, 'running', { communities: [C] })
    try {
      const cli = await runCli(['check', '--data-dir', join(dir.path, 'running')])
      expect(cli.code).toBe(1)
      expect(cli.stderr).toContain(`is in use by a running oa-node (pid ${process.pid})`)
    } finally {
      await node.stop()
    }
    await expect(checkDataDir(join(dir.path, 'nowhere'))).rejects.toThrow(DataDirError)
    const missing = await runCli(['check', '--data-dir', join(dir.path, 'nowhere')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('does not exist')
  })
})
