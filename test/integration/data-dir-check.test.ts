import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { newKey } from '../../src/communities/crypto.js'
import { readCommunityFiles, writeCommunityFile } from '../../src/communities/files.js'
import { Keyring } from '../../src/communities/keyring.js'
import { signObject } from '../../src/communities/objects.js'
import { checkDataDir } from '../../src/node/check-data-dir.js'
import { readIdentity } from '../../src/node/identity.js'
import { CommunityObject } from '../../src/wire/generated/community.js'
import { DataDirError } from '../../src/node/errors.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import type { DataDirCheck } from '../../src/node/check-data-dir.js'

const C = 'devsupport'
/** A peer id that is no node of this test. */
const READER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

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
    expect(report.memory).toMatchObject({ present: true, records: 5, communities: { [C]: 5 }, embedder: 'lexical-v2', dimension: 1024, problems: [] })
    const cli = await runCli(['check', '--data-dir', dataDir])
    expect(cli.code).toBe(0)
    expect(cli.stdout).toMatch(/channels\s+ok, 3 messages/)
    expect(cli.stdout).toMatch(/memory\s+ok, 5 records \(devsupport 5\), lexical-v2 1024-d/)
    expect(cli.stdout).toMatch(/result\s+sound/)
  })

  it('verifies community files: a sound private community passes, an altered credential is named and the CLI exits 1', async () => {
    const node = await startTestNode(dir.path, 'trust', { memory: { enabled: false } })
    const created = await node.libp2p.services.communities.create('vault', 'private')
    await node.libp2p.services.communities.invite('vault', { for: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo', role: 'reader' })
    await node.stop()
    const dataDir = join(dir.path, 'trust')
    const sound = await checkDataDir(dataDir)
    expect(sound.communities).toEqual({ communities: [{ name: 'vault', id: created.id, policy: 'private', objects: 4, epoch: 1, keyEpochs: [1], role: 'admin' }], problems: [], notes: [] })
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

  it('notes a private community whose current key this node lacks, and reports an object a non-admin signed and grants to this node that do not open', async () => {
    const node = await startTestNode(dir.path, 'grants', { memory: { enabled: false } })
    const created = await node.libp2p.services.communities.create('vault', 'private')
    await node.libp2p.services.communities.invite('vault', { for: READER, role: 'reader' })
    const self = node.peerId.toString()
    await node.stop()
    const dataDir = join(dir.path, 'grants')
    const key = await readIdentity(dataDir)
    if (key == null) throw new Error('the node left no identity key')
    const [held] = await readCommunityFiles(dataDir)
    if (held == null) throw new Error('the node left no community file')
    const append = async (...objects: CommunityObject[]): Promise<void> => {
      const [file] = await readCommunityFiles(dataDir)
      await writeCommunityFile(dataDir, created.id, [...(file?.objects ?? []), ...objects])
    }

    // a removal by the creator that nobody sealed a new key for: sound, but the node lacks the current key
    await append((await signObject('revocation', { community: created.id, member: READER, revokedAt: Date.now(), epoch: 2 }, key)).object)
    const noted = await checkDataDir(dataDir)
    expect(noted.ok).toBe(true)
    expect(noted.communities.problems).toEqual([])
    expect(noted.communities.notes).toEqual([expect.stringMatching(/^vault: this node holds no key of the current epoch 2 \(newest: 1\)/)])
    const cli = await runCli(['check', '--data-dir', dataDir])
    expect(cli.code).toBe(0)
    expect(cli.stdout).toMatch(/note: vault: this node holds no key of the current epoch 2/)

    // a credential signed by a peer that is no admin; a grant to this node sealed to another peer; one whose box was damaged
    const stranger = await generateKeyPair('Ed25519')
    const forged = await signObject('credential', { community: created.id, member: peerIdFromPrivateKey(stranger).toString(), role: 'admin', issuedAt: Date.now() }, stranger)
    const elsewhere = new Keyring(newKey(), new Map([[2, newKey()]])).sealFor(created.id, READER, 2)
    const misaddressed = await signObject('grant', { community: created.id, member: self, epoch: 2, box: elsewhere, issuedAt: Date.now() }, key)
    const own = held.objects.map(o => CommunityObject.decode(CommunityObject.encode(o))).find(o => o.kind === 'grant' && (JSON.parse(Buffer.from(o.body).toString()) as { member: string }).member === self)
    if (own == null) throw new Error('the creator holds no grant of its own')
    const box = Buffer.from((JSON.parse(Buffer.from(own.body).toString()) as { box: string }).box, 'base64')
    box[box.length - 1] = (box[box.length - 1] ?? 0) ^ 0xff
    const damaged = await signObject('grant', { community: created.id, member: self, epoch: 1, box: box.toString('base64'), issuedAt: Date.now() }, key)
    await append(forged.object, misaddressed.object, damaged.object)
    const report = await checkDataDir(dataDir)
    expect(report.ok).toBe(false)
    expect(report.communities.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`credential: credential signed by ${forged.signer}, who is not an admin of vault`)),
      expect.stringMatching(/the grant of epoch 2 sealed to this node does not open/),
      expect.stringMatching(/the grant of epoch 1 sealed to this node does not open/)
    ]))
    expect(report.communities.problems).toHaveLength(3)
    // the grant that does open still counts
    expect(report.communities.communities[0]?.keyEpochs).toEqual([1])
    const damagedCli = await runCli(['check', '--data-dir', dataDir])
    expect(damagedCli.code).toBe(1)
    expect(damagedCli.stdout).toMatch(/communities\s+DAMAGED/)
    expect(damagedCli.stdout).toMatch(/does not open/)
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
