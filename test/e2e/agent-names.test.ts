import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']

describe('an agent name that two nodes carry, through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: NodeProcess
  let n2: NodeProcess
  const dataDir = (n: string): string => join(dir.path, n)

  beforeAll(async () => {
    dir = await tempDir()
    const config = join(dir.path, 'node.yaml')
    await writeFile(config, [
      'communities: [devsupport]',
      'memory: { enabled: false }',
      'agents:',
      '  - name: helper',
      '    type: expert',
      '    capabilities: [python]',
      '    description: Answers Python questions'
    ].join('\n'))
    n1 = await startNodeProcess(['--config', config, '--data-dir', dataDir('n1'), ...LOOPBACK])
    n2 = await startNodeProcess(['--config', config, '--data-dir', dataDir('n2'), ...LOOPBACK, '--bootstrap', n1.started.multiaddrs[0] ?? ''])
  })

  afterAll(async () => {
    await n2.stop()
    await n1.stop()
    await dir.cleanup()
  })

  it('`ask` by the bare name lists both agents with full peer ids and how to pick one; `ask` by the full id reaches that one', async () => {
    const ids = [`helper@${n1.started.peerId}`, `helper@${n2.started.peerId}`]
    await waitFor('both helpers listed on n2', async () => {
      const r = await runCli(['agents', '--community', 'devsupport', '--data-dir', dataDir('n2')])
      return ids.every(id => r.stdout.includes(id))
    }, 30_000, 500)

    const bare = await runCli(['ask', 'devsupport/helper', 'What does asyncio.gather do?', '--data-dir', dataDir('n2')])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('2 agents are named "helper" in devsupport, on different nodes:')
    for (const id of ids) expect(bare.stderr).toContain(`  ${id}`)
    expect(bare.stderr).toContain('name one as <name>@<peer id>, e.g. devsupport/helper@')

    const byId = await runCli(['ask', `devsupport/${ids[0] ?? ''}`, 'What does asyncio.gather do?', '--json', '--data-dir', dataDir('n2')])
    expect(byId.stderr).toBe('')
    expect(byId.code).toBe(0)
    expect((JSON.parse(byId.stdout) as { source: string }).source).toBe(ids[0])
  })
})
