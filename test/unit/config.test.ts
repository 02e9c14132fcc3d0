import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flagsToLayer } from '../../src/cli/flags.js'
import { ConfigError, configFromEnv, DEFAULTS, loadConfig, loadConfigFile } from '../../src/config/index.js'
import { tempDir } from '../helpers/tmp.js'

let dir: { path: string, cleanup: () => Promise<void> }
beforeEach(async () => { dir = await tempDir() })
afterEach(async () => { await dir.cleanup() })

async function yamlFile (text: string): Promise<string> {
  const path = join(dir.path, 'node.yaml')
  await writeFile(path, text)
  return path
}

async function problemsOf (fn: () => unknown): Promise<string[]> {
  try {
    await fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

describe('config file', () => {
  it('names the path of an unknown key', async () => {
    const file = await yamlFile('network:\n  listne: [/ip4/127.0.0.1/tcp/0]\n')
    expect(await problemsOf(async () => loadConfigFile(file))).toEqual([`${file}: network.listne: unknown key`])
  })

  it('names the path of a value of the wrong type', async () => {
    const file = await yamlFile('api:\n  port: "eighty"\n')
    const problems = await problemsOf(async () => loadConfigFile(file))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(new RegExp(`^${file}: api.port: `))
  })

  it('keeps 4 peers by default and refuses a network.minPeers that is negative, fractional or over 100', async () => {
    expect((await loadConfig({ flags: { dataDir: dir.path } })).network.minPeers).toBe(4)
    const file = await yamlFile('network:\n  minPeers: -1\n')
    expect((await problemsOf(async () => loadConfigFile(file)))[0]).toMatch(new RegExp(`^${file}: network.minPeers: Too small`))
    for (const bad of ['2.5', '101', '"four"']) {
      const other = await yamlFile(`network:\n  minPeers: ${bad}\n`)
      expect((await problemsOf(async () => loadConfigFile(other)))[0]).toMatch(new RegExp(`^${other}: network.minPeers: `))
    }
  })

  it('reuses the listening port by default, takes network.reusePort: false, and refuses a value that is not a boolean', async () => {
    expect((await loadConfig({ flags: { dataDir: dir.path } })).network.reusePort).toBe(true)
    const off = await yamlFile('network:\n  reusePort: false\n')
    expect((await loadConfig({ file: off, flags: { dataDir: dir.path } })).network.reusePort).toBe(false)
    const bad = await yamlFile('network:\n  reusePort: sometimes\n')
    expect((await problemsOf(async () => loadConfigFile(bad)))[0]).toMatch(new RegExp(`^${bad}: network.reusePort: `))
  })

  it('names each key of the LanceDB store of release 0.1 as no longer used', async () => {
    const file = await yamlFile('memory:\n  storeRecycleRssMiB: 512\n  storeProcess: true\n  commitIntervalMs: 500\n  vectorIndexThreshold: 10000\n')
    const problems = await problemsOf(async () => loadConfigFile(file))
    for (const key of ['storeRecycleRssMiB', 'storeProcess', 'commitIntervalMs', 'vectorIndexThreshold']) {
      expect(problems.some(p => p.startsWith(`${file}: memory.${key}: no longer used`) && p.includes('remove the key'))).toBe(true)
    }
    expect(problems).toHaveLength(4)
  })

  it('rejects an invalid multiaddr and a bad community name, naming each', async () => {
    const file = await yamlFile('network:\n  bootstrap: [not-a-multiaddr]\ncommunities: ["Bad Name"]\n')
    const problems = await problemsOf(async () => loadConfigFile(file))
    expect(problems.some(p => p.startsWith(`${file}: network.bootstrap[0]: invalid multiaddr "not-a-multiaddr"`))).toBe(true)
    expect(problems.some(p => p.startsWith(`${file}: communities[0]: a community name`))).toBe(true)
  })

  it('reports YAML syntax errors with the file name', async () => {
    const file = await yamlFile('network: [unclosed\n')
    const problems = await problemsOf(async () => loadConfigFile(file))
    expect(problems[0]).toMatch(new RegExp(`^${file}: invalid YAML`))
  })

  it('reports a missing file', async () => {
    const missing = join(dir.path, 'nope.yaml')
    expect(await problemsOf(async () => loadConfigFile(missing))).toEqual([`${missing}: cannot read config file (ENOENT)`])
  })
})

describe('environment', () => {
  it('maps OA_* variables onto keys', () => {
    const layer = configFromEnv({ OA_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2/ws', OA_MDNS: 'true', OA_API_PORT: '9000', OA_COMMUNITIES: 'a,b' })
    expect(layer).toEqual({ network: { listen: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2/ws'], mdns: true }, api: { port: 9000 }, communities: ['a', 'b'] })
  })

  it('keeps metrics on by default; OA_API_METRICS turns them off', async () => {
    expect((await loadConfig({ env: {} })).api.metrics).toBe(true)
    expect((await loadConfig({ env: { OA_API_METRICS: 'false' } })).api.metrics).toBe(false)
    expect((await problemsOf(() => configFromEnv({ OA_API_METRICS: 'maybe' })))[0]).toBe('OA_API_METRICS: expected true or false, got "maybe"')
  })

  it('rejects an unknown OA_ variable by name', async () => {
    const problems = await problemsOf(() => configFromEnv({ OA_LISTNE: 'x' }))
    expect(problems[0]).toMatch(/^OA_LISTNE: unknown environment variable/)
  })

  it('names the variable that holds a bad value', async () => {
    expect(await problemsOf(() => configFromEnv({ OA_API_PORT: 'abc' }))).toEqual(['OA_API_PORT: expected a whole number, got "abc"'])
    expect((await problemsOf(() => configFromEnv({ OA_BOOTSTRAP: 'garbage' })))[0]).toMatch(/^OA_BOOTSTRAP: invalid multiaddr "garbage"/)
    expect((await problemsOf(() => configFromEnv({ OA_MDNS: 'perhaps' })))[0]).toBe('OA_MDNS: expected true or false, got "perhaps"')
  })
})

describe('flags', () => {
  it('names the flag that holds a bad value', async () => {
    expect((await problemsOf(() => flagsToLayer({ bootstrap: ['/ip4/1.2.3'] })))[0]).toMatch(/^--bootstrap: invalid multiaddr "\/ip4\/1.2.3"/)
    expect((await problemsOf(() => flagsToLayer({ listen: ['nope'] })))[0]).toMatch(/^--listen: invalid multiaddr "nope"/)
    expect((await problemsOf(() => flagsToLayer({ community: ['UPPER'] })))[0]).toMatch(/^--community: a community name/)
  })
})

describe('loadConfig', () => {
  it('applies defaults, then file, then environment, then flags', async () => {
    const file = await yamlFile([
      'dataDir: ./from-file',
      'network:',
      '  listen: [/ip4/127.0.0.1/tcp/1000]',
      '  mdns: true',
      'api:',
      '  port: 1001',
      'communities: [filecomm]'
    ].join('\n'))
    const config = await loadConfig({
      file,
      env: { OA_API_PORT: '2001', OA_COMMUNITIES: 'envcomm' },
      flags: flagsToLayer({ community: ['flagcomm'], dataDir: join(dir.path, 'flag-dir') })
    })
    expect(config.dataDir).toBe(join(dir.path, 'flag-dir'))
    expect(config.network.listen).toEqual(['/ip4/127.0.0.1/tcp/1000'])
    expect(config.network.mdns).toBe(true)
    expect(config.network.bootstrap).toEqual(DEFAULTS.network.bootstrap)
    expect(config.api.port).toBe(2001)
    expect(config.communities).toEqual(['flagcomm'])
  })

  it('documents every key with its default in config/node.example.yaml: keys of the other memory choices marked #~', async () => {
    const path = join(import.meta.dirname, '..', '..', 'config', 'node.example.yaml')
    const { milvus, embeddingModel, ...memory } = DEFAULTS.memory
    expect(await loadConfigFile(path)).toEqual({ ...DEFAULTS, memory, dataDir: '~/.oa-node' })
    // the example as it is loads as a config: nothing in it is a key without effect
    await loadConfig({ file: path, flags: { dataDir: dir.path } })
    const uncommented = await yamlFile((await readFile(path, 'utf8')).replaceAll('#~', ''))
    expect(await loadConfigFile(uncommented)).toEqual({ ...DEFAULTS, memory: { ...memory, milvus, embeddingModel }, dataDir: '~/.oa-node' })
  })

  it('resolves agent modules relative to the config file and joins the agents\' communities', async () => {
    const file = await yamlFile('communities: [a]\nagents:\n  - name: bot\n    module: ./agents/bot.mjs\n  - name: py\n    type: expert\n    community: b\n')
    const config = await loadConfig({ file })
    expect(config.agents[0]).toMatchObject({ name: 'bot', module: join(dir.path, 'agents', 'bot.mjs'), community: 'a' })
    expect(config.communities).toEqual(['a', 'b'])
  })

  it('names bad agent entries', async () => {
    const noCommunity = await yamlFile('agents:\n  - name: py\n    type: expert\n')
    expect(await problemsOf(async () => loadConfig({ file: noCommunity }))).toEqual(['agents[0].community: agent "py" needs a community (set it, or join one with communities / --community)'])
    const twice = await yamlFile('communities: [a]\nagents:\n  - { name: py, type: expert }\n  - { name: py, type: coordinator }\n')
    expect(await problemsOf(async () => loadConfig({ file: twice }))).toEqual(['agents: two agents are named "py"; names are unique on a node'])
    const badType = await yamlFile('communities: [a]\nagents:\n  - { name: py, type: wizard }\n')
    expect((await problemsOf(async () => loadConfigFile(badType)))[0]).toMatch(new RegExp(`^${badType}: agents\\[0\\]\\.type: `))
  })

  it('reads the a2a section, joins the communities of its external agents, and names its bad entries', async () => {
    const good = await yamlFile('a2a:\n  port: 0\n  host: 0.0.0.0\n  remote:\n    - { community: town, url: "http://127.0.0.1:9000", name: weather }\n')
    const config = await loadConfig({ file: good })
    expect(config.a2a).toEqual({ port: 0, host: '0.0.0.0', maxRunningTasks: 64, remote: [{ community: 'town', url: 'http://127.0.0.1:9000', name: 'weather' }] })
    expect(config.communities).toEqual(['town'])
    const bad = await yamlFile('a2a:\n  host: somewhere\n  remote:\n    - { community: town, url: "ftp://x" }\n')
    expect((await problemsOf(async () => loadConfigFile(bad))).map(p => p.slice(bad.length + 2))).toEqual([
      'a2a.host: expected an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost',
      'a2a.remote[0].url: expected an http:// or https:// URL'
    ])
    const twice = await yamlFile('communities: [town]\nagents:\n  - { name: bot, type: expert }\na2a:\n  remote:\n    - { community: town, url: "http://127.0.0.1:1", name: bot }\n    - { community: town, url: "http://127.0.0.1:2", name: w }\n    - { community: town, url: "http://127.0.0.1:3", name: w }\n')
    expect(await problemsOf(async () => loadConfig({ file: twice }))).toEqual([
      'a2a.remote[0].name: an agent named "bot" is in agents already; names are unique on a node',
      'a2a.remote[2].name: two external agents are named "w"; names are unique on a node'
    ])
    expect((await problemsOf(() => flagsToLayer({ a2aPort: 70_000 })))[0]).toMatch(/^--a2a-port: /)
  })

  it('reads OPENAI_* variables into the llm section', () => {
    expect(configFromEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_MODEL: 'llama3.2', OPENAI_API_KEY: 'k' })).toEqual({ llm: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.2', apiKey: 'k' } })
  })

  it('reads the file named by OA_CONFIG', async () => {
    const file = await yamlFile('communities: [viaenv]\n')
    const config = await loadConfig({ env: { OA_CONFIG: file } })
    expect(config.communities).toEqual(['viaenv'])
  })

  it('listens on TCP and WebSockets by default and keeps mDNS off', async () => {
    const config = await loadConfig({ env: {} })
    expect(config.network.listen.some(a => a.endsWith('/ws'))).toBe(true)
    expect(config.network.listen.some(a => /\/tcp\/\d+$/.test(a))).toBe(true)
    expect(config.network.mdns).toBe(false)
    expect(config.dataDir.endsWith('.oa-node')).toBe(true)
  })
})

describe('built-in agent options', () => {
  it('name the agent and every bad key', async () => {
    const { ExpertAgent, CoordinatorAgent } = await import('../../src/agents/index.js')
    expect(() => new ExpertAgent({ name: 'py', community: 'c', options: { maxSources: 0, colour: 'red' } })).toThrow('agent py: options: maxSources: Too small: expected number to be >=1; colour: unknown key')
    expect(() => new CoordinatorAgent({ name: 'co', community: 'c', options: { deadlineMs: 'soon' } })).toThrow(/^agent co: options: deadlineMs: /)
  })

  it('check the kinds an expert recalls and the relevance floors', async () => {
    const { ExpertAgent, CoordinatorAgent } = await import('../../src/agents/index.js')
    expect(() => new ExpertAgent({ name: 'py', community: 'c', options: { recallKinds: ['expert_knowledge', 'Channel Message'] } }))
      .toThrow('agent py: options: recallKinds[1]: "Channel Message" is not a kind (lowercase letters, digits and "_", e.g. expert_knowledge)')
    expect(() => new ExpertAgent({ name: 'py', community: 'c', options: { recallKinds: [] } })).toThrow(/^agent py: options: recallKinds: Too small/)
    expect(() => new ExpertAgent({ name: 'py', community: 'c', options: { minSimilarity: 1.5 } })).toThrow(/^agent py: options: minSimilarity: Too big/)
    expect(() => new CoordinatorAgent({ name: 'co', community: 'c', options: { minSimilarity: 'high' } })).toThrow(/^agent co: options: minSimilarity: /)
    expect(new ExpertAgent({ name: 'py', community: 'c', options: { recallKinds: ['channel_message'], minSimilarity: 0.3 } }).kind).toBe('expert')
  })
})

describe('memory keys that take effect only with one store or embedder', () => {
  it('names a Milvus key set with the embedded store, and embedded-store keys set with Milvus', async () => {
    expect(await problemsOf(async () => loadConfig({ flags: { memory: { milvus: { address: '127.0.0.1:19530', collection: 'c' } } } }))).toEqual([
      'memory.milvus.address: only used with memory.store: milvus',
      'memory.milvus.collection: only used with memory.store: milvus'
    ])
    const file = await yamlFile('memory:\n  writeWindowMs: 5\n')
    expect(await problemsOf(async () => loadConfig({ file, flags: flagsToLayer({ memory: 'milvus' }) }))).toEqual([
      'memory.writeWindowMs: only used with memory.store: embedded'
    ])
  })

  it('takes sqlite as the embedded store\'s other name, from a file and from --memory', async () => {
    expect((await loadConfig({ flags: flagsToLayer({ memory: 'sqlite' }) })).memory.store).toBe('embedded')
    expect((await loadConfig({ file: await yamlFile('memory:\n  store: sqlite\n  writeWindowMs: 2\n') })).memory).toMatchObject({ store: 'embedded', writeWindowMs: 2 })
    const file = await yamlFile('memory:\n  store: sqlite\n  milvus:\n    address: 127.0.0.1:19530\n')
    expect(await problemsOf(async () => loadConfig({ file }))).toEqual([
      'memory.milvus.address: only used with memory.store: milvus'
    ])
  })

  it('names the embedding model and dimensions set with the local embedder', async () => {
    expect(await problemsOf(async () => loadConfig({ flags: { memory: { embeddingModel: 'text-embedding-3-large', embeddingDimensions: 256 } } }))).toEqual([
      'memory.embeddingModel: only used with memory.embedder: openai',
      'memory.embeddingDimensions: only used with memory.embedder: openai'
    ])
  })

  it('takes each key with the choice that uses it, the store and the keys set in different layers', async () => {
    const file = await yamlFile('memory:\n  store: milvus\n  embedder: openai\n  embeddingModel: m\n  milvus:\n    collection: c\n')
    const config = await loadConfig({ file, env: { MILVUS_ADDRESS: '127.0.0.1:19530' } })
    expect(config.memory).toMatchObject({ store: 'milvus', embedder: 'openai', embeddingModel: 'm', milvus: { collection: 'c', address: '127.0.0.1:19530' } })
  })

  it('ignores MILVUS_* and OPENAI_EMBEDDING_MODEL where the store or embedder chosen does not use them: other tools share them', async () => {
    const config = await loadConfig({ env: { MILVUS_ADDRESS: '127.0.0.1:19530', MILVUS_TOKEN: 'root:Milvus', OPENAI_EMBEDDING_MODEL: 'm' } })
    expect(config.memory.store).toBe('embedded')
    expect(config.memory.embedder).toBe('auto')
  })
})
