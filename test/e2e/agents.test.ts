import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
const ECHO = join(import.meta.dirname, '..', 'fixtures', 'agents', 'echo-bot.mjs')

describe('agents and ask through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: NodeProcess
  let n2: NodeProcess

  beforeAll(async () => {
    dir = await tempDir()
    const config = join(dir.path, 'node.yaml')
    await writeFile(config, [
      'communities: [devsupport]',
      'agents:',
      '  - name: python_expert',
      '    type: expert',
      '    community: devsupport',
      '    capabilities: [python, asyncio, django, flask]',
      '    description: Answers Python questions',
      '    channels: [general, python_channel]',
      '  - name: my_bot',
      `    module: ${ECHO}`
    ].join('\n'))
    n1 = await startNodeProcess(['--config', config, '--data-dir', join(dir.path, 'n1'), ...LOOPBACK])
    const boot = n1.started.multiaddrs[0] ?? ''
    n2 = await startNodeProcess(['--community', 'devsupport', '--data-dir', join(dir.path, 'n2'), ...LOOPBACK, '--bootstrap', boot])
  })

  afterAll(async () => {
    await n1.stop()
    await n2.stop()
    await dir.cleanup()
  })

  it('`agents` on another node finds the agents by capability through the DHT', async () => {
    const found = await waitFor('python_expert listed on n2', async () => {
      const r = await runCli(['agents', '--community', 'devsupport', '--capability', 'python', '--json', '--data-dir', join(dir.path, 'n2')])
      const { agents } = JSON.parse(r.stdout) as { agents: Array<{ name: string, id: string, online: boolean }> }
      return agents.length > 0 ? agents : undefined
    }, 30_000, 500)
    expect(found).toEqual([expect.objectContaining({ name: 'python_expert', id: `python_expert@${n1.started.peerId}`, online: true })])
    const table = await runCli(['agents', '--community', 'devsupport', '--data-dir', join(dir.path, 'n2')])
    expect(table.stdout).toMatch(/my_bot\s+custom\s+devsupport/)
    expect(table.stdout).toMatch(/python_expert\s+expert\s+devsupport\s+python, asyncio, django, flask\s+online/)
  })

  it('`ask` sends a direct request to an agent on another node and prints its answer', async () => {
    const r = await runCli(['ask', 'devsupport/python_expert', 'What does asyncio.gather do?', '--data-dir', join(dir.path, 'n2')])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('[retrieval-only: no language model configured]')
    const bot = await runCli(['ask', 'devsupport/my_bot', 'hello', '--json', '--data-dir', join(dir.path, 'n2')])
    expect(bot.code).toBe(0)
    expect((JSON.parse(bot.stdout) as { payload: unknown }).payload).toEqual({ echoed: { text: 'hello' }, by: `my_bot@${n1.started.peerId}` })
  })

  it('refuses bad input with exit code 2', async () => {
    const nobody = await runCli(['ask', 'devsupport/nobody', 'x', '--data-dir', join(dir.path, 'n2')])
    expect(nobody.code).toBe(2)
    expect(nobody.stderr).toContain('no agent named "nobody" found in devsupport')
    expect(nobody.stderr).not.toContain('looking for it')
    // --wait keeps looking, says so once, then gives up the same way
    const waited = await runCli(['ask', 'devsupport/nobody', 'x', '--wait', '3', '--data-dir', join(dir.path, 'n2')])
    expect(waited.code).toBe(2)
    expect(waited.stderr).toContain('nobody is not found in devsupport yet; looking for it for up to')
    expect(waited.stderr.match(/looking for it/g)).toHaveLength(1)
    expect(waited.stderr).toContain('no agent named "nobody" found in devsupport')
    const malformed = await runCli(['ask', 'python_expert', 'x', '--data-dir', join(dir.path, 'n2')])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain('is not <community>/<agent>')
    const badConfig = join(dir.path, 'bad.yaml')
    await writeFile(badConfig, 'communities: [devsupport]\nagents:\n  - name: x\n    type: expert\n    module: ./x.mjs\n')
    const start = await runCli(['start', '--config', badConfig, '--data-dir', join(dir.path, 'bad'), ...LOOPBACK])
    expect(start.code).toBe(2)
    expect(start.stderr).toContain('agents[0]: set exactly one of "type" (expert, coordinator) or "module"')
  })
})
