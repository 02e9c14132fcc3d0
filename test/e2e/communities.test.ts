import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']

describe('private and open communities through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: NodeProcess
  let n2: NodeProcess | undefined
  let n3: NodeProcess | undefined
  const d = (name: string): string => join(dir.path, name)

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startNodeProcess(['--data-dir', d('n1'), ...LOOPBACK])
  })

  afterAll(async () => {
    await n3?.stop()
    await n2?.stop()
    await n1.stop()
    await dir.cleanup()
  })

  it('create, invite (bearer and named), start --join, post, members, remove: as the README shows', async () => {
    const created = await runCli(['community', 'create', 'devsupport', '--private', '--data-dir', d('n1')])
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/policy\s+private/)
    const id = /id\s+(c[0-9a-f]{40})/.exec(created.stdout)?.[1]
    expect(id).toBeDefined()
    expect((await runCli(['community', 'create', 'devsupport', '--data-dir', d('n1')])).stderr).toMatch(/--private .* or --open/)

    const bearer = await runCli(['community', 'invite', 'devsupport', '--data-dir', d('n1')])
    expect(bearer.code).toBe(0)
    const invite = bearer.stdout.trim()
    expect(invite).toMatch(/^oa-invite:/)
    const boot = n1.started.multiaddrs[0] ?? ''
    n2 = await startNodeProcess(['--data-dir', d('n2'), ...LOOPBACK, '--bootstrap', boot, '--join', invite])
    expect(n2.started.communities).toContain('devsupport')

    // a named invite, for a peer id known before its node starts
    const n3Id = JSON.parse((await runCli(['id', '--json', '--data-dir', d('n3')])).stdout) as { peerId: string }
    const named = await runCli(['community', 'invite', 'devsupport', '--for', n3Id.peerId, '--role', 'reader', '--expires', '7d', '--data-dir', d('n1')])
    n3 = await startNodeProcess(['--data-dir', d('n3'), ...LOOPBACK, '--bootstrap', boot, '--join', named.stdout.trim()])

    const members = await runCli(['community', 'members', 'devsupport', '--data-dir', d('n1')])
    expect(members.stdout).toContain(`${n1.started.peerId}  admin`)
    expect(members.stdout).toContain(`${n2.started.peerId}  member`)
    expect(members.stdout).toContain(`${n3.started.peerId}  reader`)

    const post = await runCli(['post', 'devsupport/general', 'only members read this', '--data-dir', d('n2')])
    expect(post.code).toBe(0)
    await waitFor('n1 and n3 read the post', async () => {
      const [a, b] = await Promise.all([runCli(['history', 'devsupport/general', '--data-dir', d('n1')]), runCli(['history', 'devsupport/general', '--data-dir', d('n3')])])
      return a.stdout.includes('only members read this') && b.stdout.includes('only members read this')
    }, 30_000, 300)
    const readerPost = await runCli(['post', 'devsupport/general', 'a reader speaks', '--data-dir', d('n3')])
    expect(readerPost.code).toBe(2)
    expect(readerPost.stderr).toMatch(/may read devsupport but not post/)

    const removed = await runCli(['community', 'remove', 'devsupport', n2.started.peerId, '--data-dir', d('n1')])
    expect(removed.code).toBe(0)
    expect(removed.stdout).toMatch(/key is now at epoch 2/)
    await waitFor('n2 no longer lists devsupport', async () => {
      const status = JSON.parse((await runCli(['status', '--json', '--data-dir', d('n2')])).stdout) as { communities: string[] }
      return !status.communities.includes('devsupport')
    }, 30_000, 300)
    const refused = await runCli(['post', 'devsupport/general', 'still here?', '--data-dir', d('n2')])
    expect(refused.code).toBe(2)

    // the invite it joined with no longer admits it
    const again = await runCli(['community', 'join', invite, '--data-dir', d('n2')])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/removed from the community after the invite was issued/)
  })

  it('an open community is created and joined by name, as before', async () => {
    const created = await runCli(['community', 'create', 'lobby', '--open', '--json', '--data-dir', d('n1')])
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'lobby', policy: 'open', role: 'admin' })
    const status = JSON.parse((await runCli(['status', '--json', '--data-dir', d('n1')])).stdout) as { communities: string[], trust: { communities: Array<{ name: string, policy: string }> } }
    expect(status.communities).toContain('lobby')
    expect(status.trust.communities.map(c => `${c.name}:${c.policy}`).sort()).toEqual(['devsupport:private', 'lobby:open'])
  })
})
