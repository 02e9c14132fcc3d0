import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
/** The variables npm sets in what `npx` and `npm exec` run (npm 10 and 11). */
const UNDER_NPX = { npm_command: 'exec', npm_lifecycle_event: 'npx' }
/** As run from a shell: the test runner may itself run under npx. */
const NOT_UNDER_NPX = { npm_command: undefined, npm_lifecycle_event: undefined }

interface Listed { name: string, policy: string, role?: string, channels: Array<{ name: string, messages: number }> }

describe('joining, listing and leaving communities with commands, across restarts', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: NodeProcess | undefined
  const dataDir = (): string => join(dir.path, 'n1')
  const cli = async (...args: string[]): ReturnType<typeof runCli> => runCli([...args, '--data-dir', dataDir()])
  const restart = async (...args: string[]): Promise<NodeProcess> => {
    expect(await node?.stop()).toBe(0)
    node = await startNodeProcess(['--data-dir', dataDir(), ...LOOPBACK, ...args])
    return node
  }

  beforeAll(async () => {
    dir = await tempDir()
    node = await startNodeProcess(['--data-dir', dataDir(), ...LOOPBACK])
  })

  afterAll(async () => {
    await node?.stop()
    await dir.cleanup()
  })

  it('join by name, post, list; the node joins it again at restart', async () => {
    expect(node?.started.communities).toEqual([])
    const joined = await cli('community', 'join', 'lobby')
    expect(joined.stderr).toBe('')
    expect(joined.code).toBe(0)
    expect(joined.stdout).toBe('joined lobby (open)\n')
    expect((await cli('community', 'join', 'lobby')).code).toBe(0)

    expect((await cli('post', 'lobby/general', 'hello lobby')).code).toBe(0)
    expect((await cli('post', 'lobby/random', 'off topic')).code).toBe(0)
    const listed = await cli('community', 'list')
    expect(listed.code).toBe(0)
    expect(listed.stdout.split('\n')[0]).toMatch(/^COMMUNITY\s+POLICY\s+ROLE\s+CHANNELS\s+MESSAGES$/)
    // every community has the wiki's and the social mod's channels
    expect(listed.stdout).toMatch(/^lobby\s+open\s+-\s+forum,general,random,social,wiki\s+2$/m)
    const json = await cli('community', 'list', '--json')
    expect(json.stdout.trim().split('\n').map(l => JSON.parse(l) as Listed)).toEqual([
      { name: 'lobby', policy: 'open', channels: [{ name: 'forum', messages: 0 }, { name: 'general', messages: 1 }, { name: 'random', messages: 1 }, { name: 'social', messages: 0 }, { name: 'wiki', messages: 0 }] }
    ])

    const again = await restart()
    expect(again.started.communities).toEqual(['lobby'])
    const history = await cli('history', 'lobby/general')
    expect(history.stdout).toContain('hello lobby')
  })

  it('leave; the node stays out at restart unless --community names it', async () => {
    const left = await cli('community', 'leave', 'lobby')
    expect(left.code).toBe(0)
    expect(left.stdout).toBe('left lobby\n')
    expect((await cli('community', 'list')).stdout).toMatch(/in no community \(join one with `(npx )?oa-node community join <name>`\)/)
    const twice = await cli('community', 'leave', 'lobby', '--json')
    expect(twice.code).toBe(1)
    expect(twice.stderr).toBe('oa-node: this node is not in community "lobby" (joined: none)\n')

    expect((await restart()).started.communities).toEqual([])
    // a flag names it: joined for this run, and still left for the next
    expect((await restart('--community', 'lobby')).started.communities).toEqual(['lobby'])
    expect((await restart()).started.communities).toEqual([])
    // a community left and joined again is joined at restart
    expect((await cli('community', 'join', 'lobby', '--json')).stdout).toContain('"name":"lobby"')
    expect((await restart()).started.communities).toEqual(['lobby'])
  })

  it('bad names are usage errors, exit 2; check reads what was joined and left, and names a damaged file', async () => {
    const bad = await cli('community', 'join', 'Not-A-Name')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('"Not-A-Name" is not a community name')
    expect((await cli('community', 'leave', '../x')).code).toBe(2)

    expect((await cli('community', 'leave', 'lobby')).code).toBe(0)
    expect((await cli('community', 'join', 'lounge')).code).toBe(0)
    expect(await node?.stop()).toBe(0)
    node = undefined
    const sound = await cli('check')
    expect(sound.code).toBe(0)
    expect(sound.stdout).toMatch(/memberships\s+ok, joined by name: lounge; left: lobby/)

    await writeFile(join(dataDir(), 'memberships.json'), '{"v":1,"joined":["lounge"')
    const damaged = await cli('check')
    expect(damaged.code).toBe(1)
    expect(damaged.stdout).toMatch(/memberships\s+DAMAGED, unreadable\n\s+.*memberships\.json: not readable JSON/)
    const start = await runCli(['start', '--data-dir', dataDir(), ...LOOPBACK])
    expect(start.code).toBe(1)
    expect(start.stderr).toContain(`${join(dataDir(), 'memberships.json')}: not readable JSON`)
  })
})

describe('mistyped commands and the hints that print a command', () => {
  it('a mistyped command or subcommand says what was meant, exit 2', async () => {
    const top = await runCli(['statuss'], { env: NOT_UNDER_NPX })
    expect(top.code).toBe(2)
    expect(top.stderr).toBe("oa-node: unknown command 'statuss' (did you mean status?)\n(run oa-node --help for usage)\n")
    const sub = await runCli(['community', 'joi', 'lobby'], { env: NOT_UNDER_NPX })
    expect(sub.code).toBe(2)
    expect(sub.stderr).toBe("oa-node: unknown command 'community joi' (did you mean community join?)\n(run oa-node --help for usage)\n")
    const memory = await runCli(['memory', 'serch', 'lobby', 'x'])
    expect(memory.code).toBe(2)
    expect(memory.stderr).toContain("unknown command 'memory serch' (did you mean memory search?)")
  })

  it('print npx oa-node under npx, oa-node otherwise', async () => {
    const dir = await tempDir()
    try {
      const nowhere = join(dir.path, 'none')
      const npx = await runCli(['status', '--data-dir', nowhere], { env: UNDER_NPX })
      expect(npx.code).toBe(1)
      expect(npx.stderr).toContain(`start one with: npx oa-node start --data-dir ${nowhere}`)
      const plain = await runCli(['status', '--data-dir', nowhere], { env: NOT_UNDER_NPX })
      expect(plain.stderr).toContain(`start one with: oa-node start --data-dir ${nowhere}`)
      expect(plain.stderr).not.toContain('npx')

      const usage = await runCli(['statuss'], { env: UNDER_NPX })
      expect(usage.stderr).toContain('(run npx oa-node --help for usage)')
      const flag = await runCli(['status', '--bogus'], { env: UNDER_NPX })
      expect(flag.code).toBe(2)
      expect(flag.stderr).toContain('(run npx oa-node --help for usage)')
      const help = await runCli(['community', '--help'], { env: UNDER_NPX })
      expect(help.stdout).toMatch(/^Usage: npx oa-node community /)
      expect((await runCli(['community', '--help'], { env: NOT_UNDER_NPX })).stdout).toMatch(/^Usage: oa-node community /)
    } finally {
      await dir.cleanup()
    }
  })
})
