import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, serveApi } from '../../src/api/index.js'
import { toApiError } from '../../src/api/error-map.js'
import { ConfigError } from '../../src/config/errors.js'
import { dottedPath, loadConfig, validateLayer } from '../../src/config/load.js'
import { OA_ERROR, OaError } from '../../src/errors.js'
import { composeMods } from '../../src/mods/compose.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { ServedApi } from '../../src/api/index.js'
import type { OaNode } from '../../src/node/oa-node.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'mods')
const POLLS = join(import.meta.dirname, '..', '..', 'examples', 'mods', 'polls', 'index.js')

async function problemsOf (layer: ConfigLayer, compose = false): Promise<string[]> {
  try {
    const config = await loadConfig({ flags: { dataDir: '/tmp/unused', ...layer } })
    if (compose) await composeMods(config)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  return []
}

describe('mods in the config', () => {
  it('names an entry that is neither a built-in mod nor has a module, and keys a built-in entry does not take', async () => {
    expect(await problemsOf({ mods: { nope: {} } })).toEqual([expect.stringContaining('mods.nope: no built-in mod is named "nope"')])
    expect(await problemsOf({ mods: { memory: { store: 'milvus' } } })).toEqual(['mods.memory.store: unknown key (a built-in mod\'s entry takes only "enabled"; its settings are under memory:)'])
    expect(await problemsOf({ mods: { channels: { module: '/x.js' } } })).toEqual(['mods.channels.module: "channels" is a built-in mod; give your mod another name'])
    expect(() => validateLayer({ mods: { memory: { enabled: 'no' } } }, dottedPath)).toThrow('mods.memory.enabled: Invalid input: expected boolean, received string')
  })

  it('refuses turning off a mod another enabled mod needs, naming both', async () => {
    expect(await problemsOf({ mods: { memory: { enabled: false } } }, true)).toEqual([
      'mods.memory.enabled: mod memory is off, but mod capture needs it (turn capture off too, or memory on)',
      'mods.memory.enabled: mod memory is off, but mod replication needs it (turn replication off too, or memory on)'
    ])
    expect(await problemsOf({ mods: { memory: { enabled: false }, capture: { enabled: false }, replication: { enabled: false } } }, true)).toEqual([])
  })

  it('names the file of a user mod that does not load, is not a mod, or has another name', async () => {
    const broken = join(FIXTURES, 'broken.js')
    expect(await problemsOf({ mods: { broken: { module: broken } } }, true)).toEqual([`mods.broken.module: cannot load mod ${broken}: this mod is broken on purpose`])
    const plain = join(FIXTURES, 'not-a-mod.js')
    expect(await problemsOf({ mods: { not_a_mod: { module: plain } } }, true)).toEqual([`mods.not_a_mod.module: ${plain} has no default export made with defineMod (write: export default defineMod({ name: 'not_a_mod', ... }))`])
    expect(await problemsOf({ mods: { ballots: { module: POLLS } } }, true)).toEqual([`mods.ballots.module: ${POLLS} is the mod "polls"; name its entry mods.polls`])
    expect(await problemsOf({ mods: { gone: { module: join(FIXTURES, 'missing.js') } } }, true)).toEqual([expect.stringContaining(`mods.gone.module: cannot load mod ${join(FIXTURES, 'missing.js')}: Cannot find module`)])
  })

  it('checks a user mod\'s settings with its own schema, naming mods.<name>.<key>', async () => {
    expect(await problemsOf({ mods: { polls: { module: POLLS, maxOptions: 1, colour: 'red' } } }, true)).toEqual([
      'mods.polls.maxOptions: Too small: expected number to be >=2',
      'mods.polls.colour: unknown key'
    ])
    const { mods } = await composeMods(await loadConfig({ flags: { dataDir: '/tmp/unused', mods: { polls: { module: POLLS, maxOptions: 3 } } } }))
    expect(mods.find(m => m.mod.name === 'polls')?.config).toEqual({ maxOptions: 3, channel: 'polls' })
  })

  it('refuses two mods owning one event type, naming both', async () => {
    expect(await problemsOf({ mods: { posts_again: { module: join(FIXTURES, 'posts-again.js') } } }, true)).toEqual(['mods.posts_again: mod posts_again: event type channel.message.post is already owned by mod channels'])
  })
})

describe('one error shape', () => {
  it('maps any OaError, also one of another copy of oa-node, onto its status and code', () => {
    expect(toApiError(new OaError('poll_closed', 'poll p is closed', { status: 409, details: { poll: 'p' } }))).toMatchObject({ status: 409, code: 'poll_closed', message: 'poll p is closed', details: { poll: 'p' } })
    const foreign = Object.assign(new Error('from another copy'), { [OA_ERROR]: true, code: 'elsewhere', status: 418 })
    expect(toApiError(foreign)).toMatchObject({ status: 418, code: 'elsewhere' })
    expect(toApiError(new Error('plain'))).toBeUndefined()
  })
})

describe('a node composed of mods', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  let api: ServedApi
  let client: ApiClient

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'n1', { communities: ['lobby'], mods: { memory: { enabled: false }, capture: { enabled: false }, replication: { enabled: false }, hello: { module: join(FIXTURES, 'hello.js'), greeting: 'hi' } } })
    api = await serveApi(node, { port: 0 })
    client = await ApiClient.fromDataDir(node.config.dataDir)
  })

  afterAll(async () => {
    await api.stop()
    await node.stop()
    await dir.cleanup()
  })

  it('runs the mods that are on, with a user mod\'s service, routes and status section', async () => {
    const status = await client.get<Record<string, unknown>>('/v1/status')
    expect(status.mods).toEqual(['communities', 'channels', 'discovery', 'wiki', 'forum', 'agents', 'social', 'remote_agents', 'a2a', 'hello'])
    expect(status.hello).toEqual({ greeting: 'hi' })
    expect(status).not.toHaveProperty('replication')
    expect(status.channels).toEqual({ lobby: ['forum', 'general', 'social', 'wiki'] })
    expect(await client.get('/v1/hello')).toEqual({ greeting: 'hi' })
    await expect(client.get('/v1/communities/lobby/memory/search?q=x')).rejects.toMatchObject({ status: 404, code: 'not_found' })
    const { mods } = await client.get<{ mods: Array<{ name: string, builtin: boolean, events: Array<{ type: string }> }> }>('/v1/mods')
    expect(mods.find(m => m.name === 'channels')?.events.map(e => e.type)).toContain('channel.message.post')
    expect(mods.find(m => m.name === 'hello')).toMatchObject({ builtin: false })
  })
})
