import { writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
const POLLS = join(import.meta.dirname, '..', '..', 'examples', 'mods', 'polls', 'index.js')

interface PollJson { id: string, question: string, options: Array<{ text: string, votes: number }>, votes: number, closed: boolean }

describe('the polls mod in node processes, through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: NodeProcess
  let n2: NodeProcess
  const dataDir = (name: string): string => join(dir.path, name)

  beforeAll(async () => {
    dir = await tempDir()
    const config = join(dir.path, 'node.yaml')
    // the module is named relative to the config file, as a user names it
    await writeFile(config, `communities: [town]\nmemory: { capture: { '*': [] } }\nmods:\n  polls: { module: ${JSON.stringify(relative(dir.path, POLLS))} }\n`)
    n1 = await startNodeProcess(['--config', config, '--data-dir', dataDir('n1'), ...LOOPBACK])
    n2 = await startNodeProcess(['--config', config, '--data-dir', dataDir('n2'), '--bootstrap', n1.started.multiaddrs[0] ?? '', ...LOOPBACK])
  })

  afterAll(async () => {
    await Promise.all([n1.stop(), n2.stop()])
    await dir.cleanup()
  })

  it('creates a poll on one node, votes from the other, and closes it', async () => {
    const created = await runCli(['polls', 'create', 'town', 'Lunch?', 'pizza', 'soup', '--json', '--data-dir', dataDir('n1')])
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    const poll = JSON.parse(created.stdout) as PollJson
    expect(poll).toMatchObject({ question: 'Lunch?', votes: 0, closed: false })
    await waitFor('n2 holds the poll', async () => (await runCli(['polls', 'list', 'town', '--data-dir', dataDir('n2')])).stdout.includes(poll.id))
    const voted = await runCli(['polls', 'vote', 'town', poll.id, '1', '--data-dir', dataDir('n2')])
    expect(voted.code).toBe(0)
    expect(voted.stdout).toContain('1. soup: 1')
    await waitFor('n1 counted the vote', async () => (JSON.parse((await runCli(['polls', 'list', 'town', '--json', '--data-dir', dataDir('n1')])).stdout) as PollJson).votes === 1)
    const closed = await runCli(['polls', 'close', 'town', poll.id, '--json', '--data-dir', dataDir('n1')])
    expect(JSON.parse(closed.stdout)).toMatchObject({ closed: true, votes: 1 })
    const status = JSON.parse((await runCli(['status', '--json', '--data-dir', dataDir('n1')])).stdout) as { mods: string[], polls: Record<string, { polls: number, open: number }> }
    expect(status.mods).toContain('polls')
    expect(status.polls.town).toEqual({ polls: 1, open: 0 })
  })

  it('refuses bad input with exit code 2, naming the problem', async () => {
    const badOption = await runCli(['polls', 'vote', 'town', 'nope', '0', '--data-dir', dataDir('n2')])
    expect(badOption.code).toBe(2)
    expect(badOption.stderr).toContain('no poll nope in town')
    const notMember = await runCli(['polls', 'list', 'elsewhere', '--data-dir', dataDir('n2')])
    expect(notMember.code).toBe(2)
    expect(notMember.stderr).toContain('has not joined community "elsewhere"')
    const missing = join(dir.path, 'missing.yaml')
    await writeFile(missing, 'mods:\n  ballots: { module: ./no-such-mod.js }\n')
    const start = await runCli(['start', '--config', missing, '--data-dir', dataDir('bad'), ...LOOPBACK])
    expect(start.code).toBe(2)
    expect(start.stderr).toContain(`mods.ballots.module: cannot load mod ${join(dir.path, 'no-such-mod.js')}`)
  })
})
