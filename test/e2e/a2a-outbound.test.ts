import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWeatherAgent } from '../helpers/a2a-server.js'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ExternalA2AServer } from '../helpers/a2a-server.js'
import type { NodeProcess } from '../helpers/cli.js'
import type { AddressInfo } from 'node:net'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
const COORDINATOR = join(import.meta.dirname, '..', 'fixtures', 'a2a', 'coordinator.yaml')

interface RemoteJson { name: string, id: string, community: string, url: string, source: string, state: string, capabilities: string[], error?: string }
interface CardJson { id: string, name: string, kind: string, capabilities: string[], online: boolean }
interface EventJson { type: string, source: string, payload: { text?: string, metadata?: { answered?: Array<{ expert: string, text: string }> } } }

describe('an external A2A agent brought into a community with oa-node a2a add', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let weather: ExternalA2AServer
  let n1: NodeProcess
  let n2: NodeProcess
  const dataDir = (name: string): string => join(dir.path, name)
  const cli = async (args: string[], node: string): Promise<Awaited<ReturnType<typeof runCli>>> => runCli([...args, '--data-dir', dataDir(node)])

  beforeAll(async () => {
    dir = await tempDir()
    weather = await startWeatherAgent('s3cret')
    n1 = await startNodeProcess(['--community', 'town', '--data-dir', dataDir('n1'), ...LOOPBACK])
    n2 = await startNodeProcess(['--config', COORDINATOR, '--data-dir', dataDir('n2'), '--bootstrap', n1.started.multiaddrs[0] ?? '', ...LOOPBACK])
  })

  afterAll(async () => {
    await Promise.all([n1?.stop(), n2?.stop()])
    await weather?.close()
    await dir.cleanup()
  })

  it('is hosted by the node that added it, found by capability from another node, and asked through it over A2A', async () => {
    const added = await cli(['a2a', 'add', 'town', weather.url, '--token', 's3cret'], 'n1')
    expect(added.stderr).toBe('')
    expect(added.code).toBe(0)
    const id = `Weather_Bot@${n1.started.peerId}`
    expect(added.stdout).toBe(`${id} hosts ${weather.url} in town (weather, forecast, rain)\n`)

    const found = await waitFor('n2 finds the A2A agent by its skill\'s tag', async () => {
      const out = await cli(['agents', '--community', 'town', '--capability', 'forecast', '--json'], 'n2')
      return (JSON.parse(out.stdout) as { agents: CardJson[] }).agents.find(a => a.id === id && a.online)
    }, 30_000)
    expect(found).toMatchObject({ name: 'Weather_Bot', kind: 'expert', capabilities: ['weather', 'forecast', 'rain'] })

    const asked = await cli(['ask', `town/${id}`, 'Lyon', '--json'], 'n2')
    expect(asked.stderr).toBe('')
    const reply = JSON.parse(asked.stdout) as EventJson & { payload: { text: string, mode: string, a2a: { url: string, state: string } } }
    expect(reply.payload).toMatchObject({ text: 'sunny in Lyon', mode: 'a2a', a2a: { url: weather.url, state: 'TASK_STATE_COMPLETED' } })
    const seen = weather.received.find(r => r.text === 'Lyon')
    expect(seen?.authorization).toBe('Bearer s3cret')
    expect(seen?.metadata).toMatchObject({ from: `user@${n2.started.peerId}`, community: 'town' })
  })

  it('is routed to by a coordinator on another node, which replies with its answer', async () => {
    const posted = await cli(['post', 'town/general', 'What is the weather forecast for Paris?', '--json'], 'n2')
    expect(posted.code).toBe(0)
    const question = JSON.parse(posted.stdout) as { id: string }
    const reply = await waitFor('the coordinator replies with the A2A agent\'s answer', async () => {
      const out = await cli(['history', 'town/general', '--json'], 'n2')
      return out.stdout.trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l) as EventJson & { replyTo?: string })
        .find(e => e.replyTo === question.id && e.source === `coordinator@${n2.started.peerId}`)
    }, 30_000)
    expect(reply.payload.metadata?.answered).toEqual([expect.objectContaining({ expert: 'Weather_Bot', text: 'sunny in What is the weather forecast for Paris?' })])
  })

  it('answers a task the external agent failed as a failed request, naming its state and reason', async () => {
    const asked = await cli(['ask', 'town/Weather_Bot', 'a storm in Brest'], 'n2')
    expect(asked.code).not.toBe(0)
    expect(asked.stderr).toMatch(/ended TASK_STATE_FAILED: no forecast in a storm/)
    expect(weather.received.map(r => r.text)).toContain('a storm in Brest')
  })

  it('refuses a card it cannot read, one that is not an A2A card, a community the node has not joined and a bad URL, naming each', async () => {
    const unreachable = await cli(['a2a', 'add', 'town', 'http://127.0.0.1:1/'], 'n1')
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain('cannot read the A2A agent card at http://127.0.0.1:1/.well-known/agent-card.json')
    const notACard = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      if (req.url?.startsWith('/huge/') !== true) {
        res.end('{"hello": "world"}')
        return
      }
      // a card that never ends: 64 KiB chunks, no length announced
      res.write('{"name": "')
      const chunk = 'x'.repeat(65_536)
      const more = (): void => { if (res.write(chunk)) setImmediate(more); else res.once('drain', more) }
      res.once('close', () => { res.removeAllListeners('drain') })
      more()
    })
    await new Promise<void>(resolve => notACard.listen(0, '127.0.0.1', resolve))
    const other = `http://127.0.0.1:${(notACard.address() as AddressInfo).port}`
    const refused = await cli(['a2a', 'add', 'town', other], 'n1')
    const huge = await cli(['a2a', 'add', 'town', `${other}/huge/`], 'n1')
    notACard.closeAllConnections()
    notACard.close()
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`${other}/.well-known/agent-card.json is not an A2A 1.0 agent card (it needs a name and supportedInterfaces)`)
    expect(huge.code).toBe(1)
    expect(huge.stderr).toContain(`cannot read the A2A agent card at ${other}/huge/.well-known/agent-card.json: the answer of ${other}/huge/.well-known/agent-card.json is over 1048576 bytes`)
    const notJoined = await cli(['a2a', 'add', 'elsewhere', weather.url], 'n1')
    expect(notJoined.code).toBe(2)
    expect(notJoined.stderr).toContain('has not joined community "elsewhere"')
    const badUrl = await cli(['a2a', 'add', 'town', 'ftp://example'], 'n1')
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toContain('url: expected the agent\'s http:// or https:// URL')
    const twice = await cli(['a2a', 'add', 'town', weather.url, '--token', 's3cret'], 'n1')
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('an agent named "Weather_Bot" already runs on this node')
  })

  it('is refused in a private community where the node is only a reader', async () => {
    expect((await cli(['community', 'create', 'club', '--private'], 'n1')).code).toBe(0)
    const invite = (await cli(['community', 'invite', 'club', '--role', 'reader'], 'n1')).stdout.trim()
    const joined = await cli(['community', 'join', invite], 'n2')
    expect(joined.stderr).toBe('')
    const refused = await cli(['a2a', 'add', 'club', weather.url, '--token', 's3cret', '--name', 'club_weather'], 'n2')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('this node may read club but not write there, so it cannot host an agent in it')
    const status = JSON.parse((await cli(['status', '--json'], 'n2')).stdout) as { agents: Array<{ name: string }> }
    expect(status.agents.map(a => a.name)).not.toContain('club_weather')
  })

  it('is hosted again after a restart, and a2a remove takes it off the node', async () => {
    expect(await n1.stop()).toBe(0)
    n1 = await startNodeProcess(['--community', 'town', '--data-dir', dataDir('n1'), ...LOOPBACK])
    const listed = await cli(['a2a', 'list', '--json'], 'n1')
    const remotes = listed.stdout.trim().split('\n').map(l => JSON.parse(l) as RemoteJson)
    expect(remotes).toEqual([expect.objectContaining({ name: 'Weather_Bot', source: 'added', state: 'running', url: weather.url })])

    const removed = await cli(['a2a', 'remove', 'Weather_Bot'], 'n1')
    expect(removed.stdout).toBe(`removed Weather_Bot (${weather.url})\n`)
    expect((await cli(['a2a', 'list'], 'n1')).stdout).toBe('no external A2A agents (add one with oa-node a2a add <community> <url>)\n')
    const status = JSON.parse((await cli(['status', '--json'], 'n1')).stdout) as { agents: Array<{ name: string }> }
    expect(status.agents.map(a => a.name)).not.toContain('Weather_Bot')
    const again = await cli(['a2a', 'remove', 'Weather_Bot'], 'n1')
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('no external A2A agent named "Weather_Bot"')
  })
})

describe('external A2A agents from the config (a2a.remote)', () => {
  it('are hosted at start under the name given, and cannot be removed at run time', async () => {
    const dir = await tempDir()
    const weather = await startWeatherAgent('t0ken')
    let node: NodeProcess | undefined
    try {
      const config = join(dir.path, 'node.yaml')
      await writeFile(config, `a2a:\n  remote:\n    - { community: harbour, url: "${weather.url}", name: forecaster, token: t0ken }\n`)
      node = await startNodeProcess(['--config', config, '--data-dir', join(dir.path, 'n'), ...LOOPBACK])
      expect(node.started.communities).toEqual(['harbour'])
      const listed = JSON.parse((await runCli(['a2a', 'list', '--json', '--data-dir', join(dir.path, 'n')])).stdout) as RemoteJson
      expect(listed).toMatchObject({ name: 'forecaster', id: `forecaster@${node.started.peerId}`, source: 'config', state: 'running', community: 'harbour' })
      const asked = await runCli(['ask', `harbour/forecaster@${node.started.peerId}`, 'Brest', '--data-dir', join(dir.path, 'n')])
      expect(asked.stdout).toBe('sunny in Brest\n')
      const removed = await runCli(['a2a', 'remove', 'forecaster', '--data-dir', join(dir.path, 'n')])
      expect(removed.code).toBe(2)
      expect(removed.stderr).toContain('forecaster comes from a2a.remote in the node\'s config; remove it there')
    } finally {
      await node?.stop()
      await weather.close()
      await dir.cleanup()
    }
  })
})
