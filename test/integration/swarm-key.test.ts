import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config/errors.js'
import { writeNewSwarmKey } from '../../src/node/swarm-key.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'

describe('a private network (network.swarmKey)', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  let keyA: string
  let keyB: string

  beforeAll(async () => {
    dir = await tempDir()
    keyA = join(dir.path, 'a.key')
    keyB = join(dir.path, 'b.key')
    await writeNewSwarmKey(keyA)
    await writeNewSwarmKey(keyB)
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('writes the key with mode 0600 and never over an existing file', async () => {
    expect((await stat(keyA)).mode & 0o777).toBe(0o600)
    expect(await readFile(keyA, 'utf8')).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
    await expect(writeNewSwarmKey(keyA)).rejects.toMatchObject({ code: 'EEXIST' })
  })

  it('lets nodes with the same key connect, and keeps out nodes with another key or none', async () => {
    const first = await startTestNode(dir.path, 'p1', { network: { swarmKey: keyA } })
    nodes.push(first)
    const member = await startTestNode(dir.path, 'p2', { network: { swarmKey: keyA, bootstrap: [tcpAddr(first)] } })
    nodes.push(member)
    await waitFor('the node with the same key connected', () => member.libp2p.getPeers().some(p => p.equals(first.peerId)))

    const otherKey = await startTestNode(dir.path, 'p3', { network: { swarmKey: keyB } })
    nodes.push(otherKey)
    const noKey = await startTestNode(dir.path, 'p4')
    nodes.push(noKey)
    for (const outsider of [otherKey, noKey]) {
      await expect(outsider.dial(tcpAddr(first), AbortSignal.timeout(5_000))).rejects.toThrow()
      // and the other way: a member cannot dial out to it either
      await expect(first.dial(tcpAddr(outsider), AbortSignal.timeout(5_000))).rejects.toThrow()
    }
    expect(first.libp2p.getPeers().map(p => p.toString())).toEqual([member.peerId.toString()])
    // everyone keeps running: the members still talk
    expect(first.status().peers).toBe(1)
    expect(await member.dial(tcpAddr(first))).toBe(first.peerId.toString())
  })

  it('refuses to start with a missing or malformed key file, naming it', async () => {
    const missing = join(dir.path, 'nope.key')
    await expect(startTestNode(dir.path, 'p5', { network: { swarmKey: missing } })).rejects.toThrow(ConfigError)
    await expect(startTestNode(dir.path, 'p6', { network: { swarmKey: missing } })).rejects.toThrow(missing)
    const bad = join(dir.path, 'bad.key')
    await writeFile(bad, 'not a key\n')
    await expect(startTestNode(dir.path, 'p7', { network: { swarmKey: bad } })).rejects.toThrow(`${bad} is not a swarm key`)
  })

  it('oa-node swarm-key generate writes a key a node starts with, and refuses to overwrite it', async () => {
    const out = join(dir.path, 'cli.key')
    const made = await runCli(['swarm-key', 'generate', '--out', out, '--json'])
    expect(made.code).toBe(0)
    expect(JSON.parse(made.stdout)).toEqual({ swarmKey: out })
    expect((await stat(out)).mode & 0o777).toBe(0o600)
    const again = await runCli(['swarm-key', 'generate', '--out', out])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain(`${out} exists already`)
    const node = await startTestNode(dir.path, 'p8', { network: { swarmKey: out } })
    nodes.push(node)
    const bad = await runCli(['start', '--swarm-key', join(dir.path, 'absent.key'), '--data-dir', join(dir.path, 'p9'), '--api-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`network.swarmKey: cannot read the swarm key file ${join(dir.path, 'absent.key')}`)
  })
})
