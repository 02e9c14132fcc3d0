import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']

interface TrustJson { agent: string, capability: string, score: number, relative: number, endorsers: number }
interface GraphJson { community: string, agents: string[], edges: Array<{ from: string, to: string, kind: string, capability?: string, count: number }> }

describe('the social mod in node processes, through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: NodeProcess
  let n2: NodeProcess
  const dataDir = (name: string): string => join(dir.path, name)

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startNodeProcess(['--community', 'devsupport', '--data-dir', dataDir('n1'), ...LOOPBACK])
    n2 = await startNodeProcess(['--community', 'devsupport', '--data-dir', dataDir('n2'), '--bootstrap', n1.started.multiaddrs[0] ?? '', ...LOOPBACK])
  })

  afterAll(async () => {
    await Promise.all([n1.stop(), n2.stop()])
    await dir.cleanup()
  })

  it('an endorsement made on one node ranks the expert on the other, in the trust table and the graph', async () => {
    const expert = `milvus_expert@${n1.started.peerId}`
    const endorsed = await runCli(['social', 'endorse', 'devsupport', expert, 'milvus', '--data-dir', dataDir('n2')])
    expect(endorsed.stderr).toBe('')
    expect(endorsed.code).toBe(0)
    expect(endorsed.stdout).toBe(`user@${n2.started.peerId} endorses ${expert} for milvus\n`)

    const trust = await waitFor('n1 ranks the endorsed expert', async () => {
      const out = await runCli(['social', 'trust', 'devsupport', '--capability', 'milvus', '--json', '--data-dir', dataDir('n1')])
      const ranked = JSON.parse(out.stdout) as TrustJson[]
      return ranked.length > 0 ? ranked : undefined
    })
    expect(trust).toEqual([expect.objectContaining({ agent: expert, capability: 'milvus', relative: 1, endorsers: 1 })])
    const text = await runCli(['social', 'trust', 'devsupport', '--capability', 'milvus', '--data-dir', dataDir('n1')])
    expect(text.stdout.split('\n')[0]).toMatch(/^RANK\s+AGENT\s+TRUST\s+RELATIVE\s+ENDORSERS\s+VOTES$/)
    expect(text.stdout.split('\n')[1]).toMatch(new RegExp(`^1\\s+${expert}\\s+\\d\\.\\d{4}\\s+1\\.00\\s+1\\s+0$`))

    const graph = JSON.parse((await runCli(['social', 'graph', 'devsupport', '--json', '--data-dir', dataDir('n1')])).stdout) as GraphJson
    expect(graph.edges).toEqual([{ from: `user@${n2.started.peerId}`, to: expert, kind: 'endorsed', capability: 'milvus', count: 1 }])
    const table = await runCli(['social', 'graph', 'devsupport', '--data-dir', dataDir('n1')])
    expect(table.stdout).toMatch(new RegExp(`user@${n2.started.peerId}\\s+${expert}\\s+endorsed\\s+milvus\\s+1`))

    const withdrawn = await runCli(['social', 'unendorse', 'devsupport', expert, 'milvus', '--data-dir', dataDir('n2')])
    expect(withdrawn.code).toBe(0)
    await waitFor('n1 no longer ranks anyone', async () => (await runCli(['social', 'trust', 'devsupport', '--capability', 'milvus', '--data-dir', dataDir('n1')])).stdout === 'no one is trusted for milvus in devsupport yet\n')
  })

  it('refuses a self-endorsement and other bad input with exit code 2, naming the problem, and counts it', async () => {
    const self = await runCli(['social', 'endorse', 'devsupport', `user@${n2.started.peerId}`, 'milvus', '--data-dir', dataDir('n2')])
    expect(self.code).toBe(2)
    expect(self.stderr).toContain(`user@${n2.started.peerId} may not endorse itself`)
    const badAgent = await runCli(['social', 'endorse', 'devsupport', 'nobody', 'milvus', '--data-dir', dataDir('n2')])
    expect(badAgent.code).toBe(2)
    expect(badAgent.stderr).toContain('agent id "nobody" is not <name>@<peer id>')
    const notMember = await runCli(['social', 'trust', 'elsewhere', '--data-dir', dataDir('n2')])
    expect(notMember.code).toBe(2)
    expect(notMember.stderr).toContain('has not joined community "elsewhere"')
    const status = JSON.parse((await runCli(['status', '--json', '--data-dir', dataDir('n2')])).stdout) as { mods: string[], social: { refused: { byReason: Record<string, number> } } }
    expect(status.mods).toContain('social')
    expect(status.social.refused.byReason).toMatchObject({ self_endorsement: 1, bad_agent: 1, not_member: 1 })
  })
})
