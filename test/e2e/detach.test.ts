import { createServer } from 'node:net'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readApiInfo } from '../../src/api/files.js'
import { isProcessAlive } from '../../src/node/data-dir.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import type { Server } from 'node:net'

describe('start --detach and stop', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const pids: number[] = []

  beforeAll(async () => { dir = await tempDir() })
  afterAll(async () => {
    for (const pid of pids) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL')
    await dir.cleanup()
  })

  it('returns once the node answers, leaves it running in the background, and `stop` stops it cleanly', async () => {
    const dataDir = join(dir.path, 'd1')
    const started = await runCli(['start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--detach', '--json'])
    expect(started.code, started.stderr).toBe(0)
    const line = JSON.parse(started.stdout) as { event: string, pid: number, peerId: string, log: string }
    pids.push(line.pid)
    expect(line.event).toBe('started')
    expect(isProcessAlive(line.pid)).toBe(true)
    expect(line.log).toBe(join(dataDir, 'node.log'))

    const status = await runCli(['status', '--data-dir', dataDir, '--json'])
    expect(status.code).toBe(0)
    expect((JSON.parse(status.stdout) as { peerId: string }).peerId).toBe(line.peerId)

    const again = await runCli(['start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--detach'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already running for data dir .*d1 \(pid \d+\)/)

    const stopped = await runCli(['stop', '--data-dir', dataDir])
    expect(stopped.code, stopped.stderr).toBe(0)
    expect(stopped.stdout).toContain(`stopped node ${line.peerId} (pid ${line.pid})`)
    expect(isProcessAlive(line.pid)).toBe(false)
    expect(await readApiInfo(dataDir)).toBeUndefined()
    expect(existsSync(join(dataDir, 'node.lock'))).toBe(false)

    const twice = await runCli(['stop', '--data-dir', dataDir])
    expect(twice.code).toBe(1)
    expect(twice.stderr).toMatch(/no running oa-node found for data dir/)
  })

  it('refuses a bad flag before it starts anything (exit 2)', async () => {
    const dataDir = join(dir.path, 'd2')
    const result = await runCli(['start', '--data-dir', dataDir, '--bootstrap', 'garbage', '--detach'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--bootstrap: invalid multiaddr "garbage"/)
    expect(existsSync(join(dataDir, 'node.log'))).toBe(false)
  })

  it('a node that cannot start is reported with the end of its log, exit 1', async () => {
    const server: Server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      const dataDir = join(dir.path, 'd3')
      const result = await runCli(['start', '--data-dir', dataDir, '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--api-port', '0', '--detach'])
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/the node exited \(code 1\) before it started; the end of .*node\.log:/)
      expect(result.stderr).toMatch(new RegExp(`${port}`))
    } finally {
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  })
})
