import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isGone, runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'
import type { NodeStatus } from '../../src/node/oa-node.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--api-port', '0']

const HAS_PROC = existsSync('/proc/self/cmdline')
if (!HAS_PROC) console.log('skipping the young generation checks: no /proc to read a process\'s command line from')

/** The arguments a process was started with (Linux). */
function commandLine (pid: number | undefined): string[] {
  if (pid == null) throw new Error('no pid')
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
}

/** The pids of a process's children (Linux). */
function childrenOf (pid: number | undefined): number[] {
  if (pid == null) throw new Error('no pid')
  return readdirSync(`/proc/${pid}/task`).flatMap(task => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter(p => p !== '').map(Number))
}

async function statusOf (dataDir: string): Promise<NodeStatus> {
  const result = await runCli(['status', '--json', '--data-dir', dataDir])
  if (result.code !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as NodeStatus
}

function tcpOf (node: NodeProcess): string {
  const addr = node.started.multiaddrs.find(ma => !ma.includes('/ws'))
  if (addr == null) throw new Error('no tcp address')
  return addr
}

describe('two node processes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: NodeProcess
  let n2: NodeProcess

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startNodeProcess(['--data-dir', join(dir.path, 'n1'), ...LOOPBACK, '--community', 'devsupport'])
    n2 = await startNodeProcess(['--data-dir', join(dir.path, 'n2'), ...LOOPBACK, '--bootstrap', tcpOf(n1)])
  })

  afterAll(async () => {
    await n1.stop('SIGKILL')
    await n2.stop('SIGKILL')
    await dir.cleanup()
  })

  it('prints the peer id and full listen multiaddrs at start', () => {
    expect(n1.started.peerId).toMatch(/^12D3KooW/)
    expect(n1.started.multiaddrs.length).toBe(2)
    for (const ma of n1.started.multiaddrs) expect(ma).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+(/ws)?/p2p/${n1.started.peerId}$`))
    expect(n1.started.communities).toEqual(['devsupport'])
  })

  it('see each other in status and peers', async () => {
    await waitFor('n2 connected to n1', async () => (await statusOf(join(dir.path, 'n2'))).peers >= 1)
    const s1 = await statusOf(join(dir.path, 'n1'))
    expect(s1.peers).toBe(1)
    expect(s1.communities).toEqual(['devsupport'])
    expect(s1.connections).toBeGreaterThanOrEqual(1)
    // gossipsub keeps a stream open to its peer; every stream is counted under its protocol
    expect(Object.keys(s1.streams.byProtocol).some(p => p.startsWith('/meshsub/'))).toBe(true)
    expect(Object.values(s1.streams.byProtocol).reduce((a, b) => a + b, 0)).toBe(s1.streams.total)
    const peers = await runCli(['peers', '--json', '--data-dir', join(dir.path, 'n2')])
    expect(peers.code).toBe(0)
    expect((JSON.parse(peers.stdout) as { peers: Array<{ peerId: string }> }).peers.map(p => p.peerId)).toEqual([n1.started.peerId])
    const human = await runCli(['status', '--data-dir', join(dir.path, 'n1')])
    expect(human.stdout).toContain(n1.started.peerId)
    expect(human.stdout).toMatch(/peers\s+1/)
    expect(human.stdout).toMatch(/streams\s+\d+ open on \d+ connections?/)
  })

  it('`id` prints the peer id without starting a node', async () => {
    const result = await runCli(['id', '--data-dir', join(dir.path, 'n1')])
    expect(result).toMatchObject({ code: 0, stdout: `${n1.started.peerId}\n` })
  })

  it('stops cleanly on SIGINT, removes api.json, and keeps its peer id across a restart', async () => {
    const dataDir = join(dir.path, 'n2')
    expect(existsSync(join(dataDir, 'api.json'))).toBe(true)
    expect(await n2.stop('SIGINT')).toBe(0)
    expect(existsSync(join(dataDir, 'api.json'))).toBe(false)
    const status = await runCli(['status', '--data-dir', dataDir])
    expect(status.code).toBe(1)
    expect(status.stderr).toContain('no running oa-node found')

    n2 = await startNodeProcess(['--data-dir', dataDir, ...LOOPBACK, '--bootstrap', tcpOf(n1)])
    expect(n2.started.peerId).toBe((await statusOf(dataDir)).peerId)
    const id = await runCli(['id', '--data-dir', dataDir])
    expect(id.stdout.trim()).toBe(n2.started.peerId)
  })

  it.skipIf(!HAS_PROC)('runs with the young generation capped (8 MiB semi-spaces), in one process: memory included, it starts no other', async () => {
    expect(commandLine(n1.proc.pid)).toContain('--max-semi-space-size=8')
    // the memory store answers from the node's own process
    const added = await runCli(['memory', 'add', 'devsupport', 'one process holds the node and its memory', '--data-dir', join(dir.path, 'n1')])
    expect(added.code, added.stderr).toBe(0)
    expect(childrenOf(n1.proc.pid)).toEqual([])
  })

  it.skipIf(!HAS_PROC)('keeps a young generation size the user chose in NODE_OPTIONS', async () => {
    const n4 = await startNodeProcess(['--data-dir', join(dir.path, 'n4'), ...LOOPBACK], { NODE_OPTIONS: '--max-semi-space-size=32' })
    try {
      expect(commandLine(n4.proc.pid)).not.toContain('--max-semi-space-size=8')
      const status = await statusOf(join(dir.path, 'n4'))
      expect(status.peerId).toBe(n4.started.peerId)
    } finally {
      await n4.stop('SIGKILL')
    }
  })

  it('SIGTERM stops a node with exit code 0 too', async () => {
    const n3 = await startNodeProcess(['--data-dir', join(dir.path, 'n3'), ...LOOPBACK])
    expect(await n3.stop('SIGTERM')).toBe(0)
  })
})

describe('cluster', () => {
  it('starts 3 real nodes that see each other, reports a node that dies, and SIGINT ends the rest', async () => {
    const dir = await tempDir()
    const { spawn } = await import('node:child_process')
    const { BIN } = await import('../helpers/cli.js')
    const proc = spawn(process.execPath, [BIN, 'cluster', '--nodes', '3', '--json', '--data-dir', join(dir.path, 'c')], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      let stdout = ''
      let stderr = ''
      proc.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
      proc.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
      const line = await waitFor('cluster start line', () => stdout.includes('\n') ? stdout.split('\n')[0] : undefined, 60_000)
      const report = JSON.parse(line) as { nodes: Array<{ name: string, pid: number, dataDir: string, peerId: string }> }
      expect(report.nodes.map(n => n.name)).toEqual(['node-1', 'node-2', 'node-3'])
      for (const node of report.nodes) {
        // each node keeps itself meshed (network.minPeers): node-2 and node-3 find each other through node-1
        await waitFor(`${node.name} has 2 peers`, async () => (await statusOf(node.dataDir)).peers >= 2, 30_000)
        expect((await statusOf(node.dataDir)).peerId).toBe(node.peerId)
      }
      const victim = report.nodes[2]!
      process.kill(victim.pid, 'SIGKILL')
      await waitFor('the cluster reports the dead node', () => stderr.includes(`node-3 (pid ${victim.pid}) exited unexpectedly with SIGKILL`))
      proc.kill('SIGINT')
      const code = await new Promise<number | null>(resolve => proc.once('exit', (c) => { resolve(c) }))
      expect(code).toBe(0)
      for (const node of report.nodes) expect(isGone(node.pid)).toBe(true)
    } finally {
      proc.kill('SIGKILL')
      await dir.cleanup()
    }
  })
})

describe('bad input', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeAll(async () => { dir = await tempDir() })
  afterAll(async () => { await dir.cleanup() })

  it('an invalid --bootstrap multiaddr names the flag and value, exit 2', async () => {
    const r = await runCli(['start', '--data-dir', join(dir.path, 'a'), '--bootstrap', 'garbage'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--bootstrap: invalid multiaddr "garbage"')
  })

  it('an invalid --listen multiaddr names the flag and value, exit 2', async () => {
    const r = await runCli(['--data-dir', join(dir.path, 'a'), '--listen', '/ip4/999.1.1.1/tcp/1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--listen: invalid multiaddr "/ip4/999.1.1.1/tcp/1"')
  })

  it('a port in use is a clear error, exit 1', async () => {
    const holder = await startNodeProcess(['--data-dir', join(dir.path, 'holder'), ...LOOPBACK])
    try {
      const busyPort = /\/tcp\/(\d+)\/p2p/.exec(holder.started.multiaddrs.find(m => !m.includes('/ws')) ?? '')?.[1]
      const r = await runCli(['start', '--data-dir', join(dir.path, 'b'), '--listen', `/ip4/127.0.0.1/tcp/${busyPort ?? ''}`, '--api-port', '0'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('already in use')
      const apiPort = new URL(holder.started.api).port
      const r2 = await runCli(['start', '--data-dir', join(dir.path, 'c'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', apiPort])
      expect(r2.code).toBe(1)
      expect(r2.stderr).toContain(`port ${apiPort} on 127.0.0.1 is already in use`)
    } finally {
      await holder.stop()
    }
  })

  it('an unreachable bootstrap peer: the node keeps running and warns', async () => {
    const node = await startNodeProcess(['--data-dir', join(dir.path, 'lonely'), ...LOOPBACK, '--bootstrap', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWFVWUoJLHxy4qLdrKHD6BBPubPWwxmua3xDVgJuB6vah4'])
    await waitFor('a bootstrap warning', () => node.stderr().includes('cannot reach any bootstrap peer'), 30_000)
    expect(node.stderr()).toMatch(/retrying in \d+s/)
    expect(node.proc.exitCode).toBeNull()
    expect(await node.stop()).toBe(0)
  })

  it('an unusable data dir is a clear error, exit 1', async () => {
    const file = join(dir.path, 'plain-file')
    await writeFile(file, 'x')
    const r = await runCli(['start', '--data-dir', join(file, 'sub'), ...LOOPBACK])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`data dir ${join(file, 'sub')} cannot be created or written`)
  })

  it('a corrupt identity key is named and kept, exit 1', async () => {
    const dataDir = join(dir.path, 'corrupt')
    await mkdir(dataDir)
    await writeFile(join(dataDir, 'identity.key'), 'garbage')
    const r = await runCli(['start', '--data-dir', dataDir, ...LOOPBACK])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`identity key ${join(dataDir, 'identity.key')} is corrupt`)
  })

  it('a config file with an unknown key names its path, exit 2', async () => {
    const file = join(dir.path, 'bad.yaml')
    await writeFile(file, 'network:\n  listne: []\n')
    const r = await runCli(['start', '--config', file, '--data-dir', join(dir.path, 'cfg')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${file}: network.listne: unknown key`)
  })

  it('an unknown command, an unknown flag and a malformed number are usage errors, exit 2', async () => {
    const cmd = await runCli(['frobnicate'])
    expect(cmd.code).toBe(2)
    expect(cmd.stderr).toContain("unknown command 'frobnicate'")
    const flag = await runCli(['status', '--bogus'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("unknown option '--bogus'")
    const num = await runCli(['start', '--api-port', 'abc'])
    expect(num.code).toBe(2)
    expect(num.stderr).toContain('expected a whole number, got "abc"')
  })
})
