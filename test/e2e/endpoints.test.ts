import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError } from '../../src/api/client.js'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { closingServer, EmbeddingsServer, httpServer, refusedPort, refusingGrpcServer, silentServer } from '../helpers/endpoints.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { CliResult, NodeProcess } from '../helpers/cli.js'
import type { StandIn } from '../helpers/endpoints.js'
import type { NodeStatus } from '../../src/node/oa-node.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
/** Environment of a node that must not pick up an endpoint from the machine's. */
const CLEAN = { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', MILVUS_TOKEN: '' }

let dir: { path: string, cleanup: () => Promise<void> }
let runs = 0

beforeAll(async () => { dir = await tempDir() })
afterAll(async () => { await dir.cleanup() })

/** Writes a config file for one run and returns its path. */
async function config (yaml: string): Promise<string> {
  const path = join(dir.path, `config-${++runs}.yaml`)
  await writeFile(path, yaml)
  return path
}

/** Runs `oa-node start` that is expected to fail, with its own data dir. */
async function failedStart (args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli(['start', '--data-dir', join(dir.path, `node-${++runs}`), ...LOOPBACK, ...args], { env: { ...CLEAN, ...env }, timeoutMs: 60_000 })
}

/** Exit 1, nothing on stdout, exactly one line on stderr, and no stack trace. */
function oneLineFailure (result: CliResult): string {
  expect(result.code, result.stderr).toBe(1)
  expect(result.stdout).toBe('')
  const lines = result.stderr.trimEnd().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  return lines[0] ?? ''
}

const ADDRESS_HINT = 'MILVUS_ADDRESS / memory.milvus.address'

describe('start --memory milvus with a Milvus it cannot use: one line naming the address and the cause, exit 1', () => {
  const servers: StandIn[] = []
  afterAll(async () => { await Promise.all(servers.map(async s => s.close())) })

  it('nothing listening: connection refused', async () => {
    const port = await refusedPort()
    const line = oneLineFailure(await failedStart(['--memory', 'milvus'], { MILVUS_ADDRESS: `127.0.0.1:${port}` }))
    expect(line).toBe(`oa-node: cannot reach Milvus at 127.0.0.1:${port}: connection refused (is it running? ${ADDRESS_HINT})`)
  })

  it('a TCP server that closes every connection at once', async () => {
    const server = await closingServer()
    servers.push(server)
    const line = oneLineFailure(await failedStart(['--memory', 'milvus'], { MILVUS_ADDRESS: server.address }))
    expect(line).toMatch(new RegExp(`^oa-node: cannot reach Milvus at ${server.address}: the connection was closed at once \\(is ${ADDRESS_HINT} the gRPC port of a Milvus server, 19530 by default\\?`))
  })

  it('a plain HTTP server', async () => {
    const server = await httpServer(200, 'text/html', '<html><body>a web page</body></html>')
    servers.push(server)
    const line = oneLineFailure(await failedStart(['--memory', 'milvus'], { MILVUS_ADDRESS: server.address }))
    expect(line).toBe(`oa-node: cannot use Milvus at ${server.address}: it answers, but not with gRPC (is ${ADDRESS_HINT} the gRPC port of a Milvus server, 19530 by default?)`)
  })

  it('a server that refuses the token', async () => {
    const server = await refusingGrpcServer()
    servers.push(server)
    const line = oneLineFailure(await failedStart(['--memory', 'milvus'], { MILVUS_ADDRESS: server.address, MILVUS_TOKEN: 'root:wrong' }))
    expect(line).toBe(`oa-node: cannot use Milvus at ${server.address}: the credentials were refused: auth check failure, please check username and password are correct (check MILVUS_TOKEN / memory.milvus.token, or memory.milvus.username and password)`)
  })

  it('malformed addresses, refused before any connection', async () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1:notaport', 'malformed address: "notaport" is not a port; expected host:port such as 127.0.0.1:19530'],
      ['127.0.0.1:99999', 'malformed address: "99999" is not a port; expected host:port such as 127.0.0.1:19530'],
      ['not a host', 'malformed address, expected host:port such as 127.0.0.1:19530'],
      ['http://', 'malformed address, expected host:port such as 127.0.0.1:19530']
    ]
    for (const [address, reason] of cases) {
      const line = oneLineFailure(await failedStart(['--memory', 'milvus'], { MILVUS_ADDRESS: address }))
      expect(line).toBe(`oa-node: cannot use Milvus at ${JSON.stringify(address)}: ${reason} (${ADDRESS_HINT})`)
    }
  })

  it('a server that never answers: gives up after memory.milvus.connectTimeoutMs', async () => {
    const server = await silentServer()
    servers.push(server)
    const file = await config('memory:\n  milvus:\n    connectTimeoutMs: 300\n')
    const line = oneLineFailure(await failedStart(['--config', file, '--memory', 'milvus'], { MILVUS_ADDRESS: server.address }))
    expect(line).toBe(`oa-node: cannot reach Milvus at ${server.address}: no answer within 300 ms (is it running? ${ADDRESS_HINT}; memory.milvus.connectTimeoutMs sets the wait)`)
  })

  it('--verbose adds what the client library said, still without a stack trace', async () => {
    const port = await refusedPort()
    const result = await failedStart(['--memory', 'milvus', '--verbose'], { MILVUS_ADDRESS: `127.0.0.1:${port}` })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`oa-node: cannot reach Milvus at 127.0.0.1:${port}: connection refused`)
    expect(result.stderr).toMatch(/\(the milvus client said: .*ECONNREFUSED/)
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })
})

describe('the demo with MILVUS_ADDRESS naming a Milvus that does not answer', () => {
  it('says so in one line, with how to run it on the embedded store, exit 1, and starts no node', async () => {
    const port = await refusedPort()
    const result = await runCli(['demo', '--ask', 'anything', '--data-dir', join(dir.path, 'demo')], { env: { ...CLEAN, MILVUS_ADDRESS: `127.0.0.1:${port}` }, timeoutMs: 60_000 })
    const line = oneLineFailure(result)
    expect(line).toBe(`oa-node: cannot reach Milvus at 127.0.0.1:${port}: connection refused (the demo keeps its memory on Milvus because MILVUS_ADDRESS is set: start Milvus there, or unset MILVUS_ADDRESS to run the demo on its embedded store)`)
  })
})

const EMBEDDER_RUNNING = 'is it running? OPENAI_BASE_URL / llm.baseUrl'
const EMBEDDER_SHAPE = 'is OPENAI_BASE_URL / llm.baseUrl an OpenAI-compatible endpoint? it usually ends in /v1'

describe('start --embedder openai with an embeddings endpoint it cannot use: one line naming the URL and the cause, exit 1', () => {
  const servers: StandIn[] = []
  afterAll(async () => { await Promise.all(servers.map(async s => s.close())) })
  const start = async (server: StandIn | number, yaml = 'llm:\n  maxRetries: 0\n'): Promise<{ url: string, line: string }> => {
    const url = `http://127.0.0.1:${typeof server === 'number' ? server : server.port}/v1`
    if (typeof server !== 'number') servers.push(server)
    const line = oneLineFailure(await failedStart(['--config', await config(yaml), '--embedder', 'openai'], { OPENAI_BASE_URL: url }))
    return { url, line }
  }

  it('nothing listening: connection refused', async () => {
    const { url, line } = await start(await refusedPort())
    expect(line).toBe(`oa-node: cannot reach the embeddings endpoint at ${url}: connection refused (${EMBEDDER_RUNNING})`)
  })

  it('a web page instead of embeddings', async () => {
    const { url, line } = await start(await httpServer(200, 'text/html', '<html>welcome</html>'))
    expect(line).toBe(`oa-node: cannot use the embeddings endpoint at ${url}: the answer is not an embeddings response (no data array) (${EMBEDDER_SHAPE})`)
  })

  it('a JSON content type with a body that is not JSON', async () => {
    const { url, line } = await start(await httpServer(200, 'application/json', '{"data": [{"embedding": [0.1, 0.2'))
    expect(line).toBe(`oa-node: cannot use the embeddings endpoint at ${url}: the answer is not valid JSON (${EMBEDDER_SHAPE})`)
  })

  it('JSON that holds no usable embedding', async () => {
    const { url, line } = await start(await httpServer(200, 'application/json', '{"data": [{"index": 0, "embedding": ["a", "b"]}]}'))
    expect(line).toBe(`oa-node: cannot use the embeddings endpoint at ${url}: the answer holds an embedding that is not a non-empty list of numbers (${EMBEDDER_SHAPE})`)
  })

  it('a refused key', async () => {
    const { url, line } = await start(await httpServer(401, 'application/json', '{"error": {"message": "Incorrect API key provided"}}'))
    expect(line).toBe(`oa-node: cannot use the embeddings endpoint at ${url}: HTTP 401: Incorrect API key provided (check OPENAI_API_KEY / llm.apiKey)`)
  })

  it('a server that never answers: gives up after llm.connectTimeoutMs', async () => {
    const { url, line } = await start(await silentServer(), 'llm:\n  maxRetries: 0\n  connectTimeoutMs: 300\n')
    expect(line).toBe(`oa-node: cannot reach the embeddings endpoint at ${url}: no answer within 300 ms (${EMBEDDER_RUNNING}; llm.connectTimeoutMs sets the wait)`)
  })
})

describe('an embeddings endpoint that goes away while the node runs, and comes back', () => {
  const C = 'devsupport'
  const embeddings = new EmbeddingsServer()
  let node: NodeProcess
  let api: ApiClient
  let dataDir: string

  beforeAll(async () => {
    await embeddings.start()
    dataDir = join(dir.path, 'outage-node')
    // nothing captured in the background: every call to the endpoint is one the test makes
    const yaml = ['llm:', '  maxRetries: 0', 'memory:', '  capture:', "    '*': []", 'agents:', '  - name: python_expert', '    type: expert', `    community: ${C}`, '    capabilities: [python]', '    channels: [general]', ''].join('\n')
    node = await startNodeProcess(['--config', await config(yaml), '--embedder', 'openai', '--community', C, '--data-dir', dataDir, ...LOOPBACK], { ...CLEAN, OPENAI_BASE_URL: embeddings.url })
    api = await ApiClient.fromDataDir(dataDir)
  })

  afterAll(async () => {
    await node?.stop()
    await embeddings.stop()
  })

  const remember = async (text: string): Promise<unknown> => api.post(`/v1/communities/${C}/memory`, { text })
  const refusal = async (call: Promise<unknown>): Promise<ApiRequestError> => {
    const err = await call.then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ApiRequestError)
    return err as ApiRequestError
  }
  const embedderStatus = async (): Promise<NodeStatus['endpoints'][number] | undefined> =>
    (await api.get<NodeStatus>('/v1/status')).endpoints.find(e => e.endpoint === 'embedder')
  const logLines = (pattern: RegExp): string[] => node.stderr().split('\n').filter(l => pattern.test(l))

  it('fails each memory call with 503 naming the endpoint, keeps running, and logs the outage once', async () => {
    await remember('The janitor job flushes the quokka cache nightly')
    expect(await embedderStatus()).toEqual({ endpoint: 'embedder', address: embeddings.url, state: 'up', outages: 0, failures: 0 })

    await embeddings.stop()
    for (let i = 0; i < 3; i++) {
      const err = await refusal(remember(`written during the outage ${i}`))
      expect(err.status).toBe(503)
      expect(err.code).toBe('endpoint_unavailable')
      expect(err.message).toBe(`cannot reach the embeddings endpoint at ${embeddings.url}: connection refused (${EMBEDDER_RUNNING})`)
      expect(err.details).toMatchObject({ endpoint: 'embedder', address: embeddings.url })
    }
    const search = await refusal(api.get(`/v1/communities/${C}/memory/search?q=quokka`))
    expect(search.status).toBe(503)

    expect(await embedderStatus()).toMatchObject({ state: 'down', outages: 1, failures: 4, reason: 'connection refused' })

    // an expert still answers, from the channels' messages instead of the memory, and logs nothing of its own
    const { reply } = await api.post<{ reply: { payload: { text: string, mode: string } } }>(`/v1/agents/python_expert@${node.started.peerId}/requests`, { community: C, text: 'How do I cancel an asyncio task?' })
    expect(reply.payload.mode).toBe('retrieval')
    expect(await embedderStatus()).toMatchObject({ failures: 5 })
    expect(node.stderr()).not.toMatch(/onDirect failed/)

    const shown = await runCli(['status', '--data-dir', dataDir])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(new RegExp(`^endpoints +embedder ${embeddings.url.replaceAll('.', '\\.')} DOWN for [^:]+: connection refused \\(1 outage, 5 failed calls\\)$`, 'm'))
    await waitFor('the outage in the log', () => logLines(/lost the embeddings endpoint/).length === 1)
    const [down] = logLines(/lost the embeddings endpoint/)
    expect(JSON.parse(down!)).toMatchObject({ level: 40, endpoint: 'embedder', address: embeddings.url, reason: 'connection refused', msg: `lost the embeddings endpoint at ${embeddings.url}: connection refused; memory calls fail (API: 503 endpoint_unavailable) until it is back` })
    expect(node.proc.exitCode).toBeNull()
  })

  it('answers again once the endpoint is back, says so once, and a second outage is a second line', async () => {
    await embeddings.start()
    await remember('Written after the endpoint came back')
    expect(await embedderStatus()).toEqual({ endpoint: 'embedder', address: embeddings.url, state: 'up', outages: 1, failures: 5 })
    await waitFor('the recovery in the log', () => logLines(/answers again after/).length === 1)
    expect(JSON.parse(logLines(/answers again after/)[0]!)).toMatchObject({ level: 40, endpoint: 'embedder', failures: 5 })

    await embeddings.stop()
    await refusal(remember('the second outage'))
    await refusal(remember('the second outage, again'))
    expect(await embedderStatus()).toMatchObject({ state: 'down', outages: 2, failures: 7 })
    await waitFor('the second outage in the log', () => logLines(/lost the embeddings endpoint/).length === 2)
    expect(logLines(/lost the embeddings endpoint/)).toHaveLength(2)
    await embeddings.start()
  })
})
