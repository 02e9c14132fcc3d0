import { once } from 'node:events'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--log-level', 'info']

/** Starts a node with `args`, waits for its "node started" log, stops it and returns its stderr lines. */
async function logLinesOf (dataDir: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string[]> {
  const node = await startNodeProcess(['--data-dir', dataDir, ...LOOPBACK, ...args], env)
  try {
    await waitFor('the "node started" log entry', () => node.stderr().includes('node started'))
  } finally {
    expect(await node.stop('SIGINT')).toBe(0)
  }
  // everything the node wrote before it exited has been read
  const stderr = node.proc.stderr
  if (stderr != null && !stderr.closed) await once(stderr, 'close')
  return node.stderr().split('\n').filter(l => l !== '')
}

describe('log format of a node', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeAll(async () => { dir = await tempDir() })
  afterAll(async () => { await dir.cleanup() })

  it('--log-format json writes one JSON object per line', async () => {
    const lines = await logLinesOf(join(dir.path, 'json'), ['--log-format', 'json'])
    const entries = lines.map(l => JSON.parse(l) as { level: number, msg: string, peerId?: string, pid: number })
    const started = entries.find(e => e.msg === 'node started')
    expect(started).toMatchObject({ level: 30, peerId: expect.stringMatching(/^12D3KooW/) as unknown })
    expect(entries.map(e => e.msg)).toContain('stopped')
  }, 60_000)

  it('--log-format text writes one readable line per entry', async () => {
    const lines = await logLinesOf(join(dir.path, 'text'), ['--log-format', 'text'])
    expect(lines.some(l => l.startsWith('{'))).toBe(false)
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}node started peerId=12D3KooW\w+ api=http:\/\/127\.0\.0\.1:\d+$/))
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}stopping reason=SIGINT$/))
    // not a terminal: no colour
    expect(lines.join('\n')).not.toContain('\u001b[')
  }, 60_000)

  it('auto, when stderr is not a terminal, is JSON; OA_LOG_FORMAT=text makes it text', async () => {
    const auto = await logLinesOf(join(dir.path, 'auto'), [])
    expect(auto.length).toBeGreaterThan(0)
    for (const line of auto) expect(() => JSON.parse(line) as unknown).not.toThrow()
    const env = await logLinesOf(join(dir.path, 'env'), [], { OA_LOG_FORMAT: 'text' })
    expect(env).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}node started /))
  }, 90_000)

  it('an unknown format is bad input, exit 2, naming the flag or variable', async () => {
    const flag = await runCli(['start', '--data-dir', join(dir.path, 'bad'), '--log-format', 'pretty'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("'--log-format <format>' argument 'pretty' is invalid")
    const env = await runCli(['start', '--data-dir', join(dir.path, 'bad')], { env: { OA_LOG_FORMAT: 'pretty' } })
    expect(env.code).toBe(2)
    expect(env.stderr).toMatch(/^oa-node: OA_LOG_FORMAT: /)
    expect(env.stderr).not.toMatch(/\n\s+at /)
    const cluster = await runCli(['cluster', '--nodes', '1'], { env: { OA_LOG_FORMAT: 'pretty' } })
    expect(cluster.code).toBe(2)
    expect(cluster.stderr).toMatch(/^oa-node: OA_LOG_FORMAT: /)
  })
})
