import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, AuthenticationError, InternalServerError, NotFoundError, RateLimitError, BadRequestError } from 'openai'
import { describe, expect, it } from 'vitest'
import { toApiError } from '../../src/api/error-map.js'
import { ClusterStartError } from '../../src/cluster/launcher.js'
import { EndpointError, withHint } from '../../src/endpoints/errors.js'
import { EndpointHealth } from '../../src/endpoints/health.js'
import { networkCause } from '../../src/endpoints/network-cause.js'
import { openAiFailure } from '../../src/endpoints/openai-failure.js'
import { MemoryStoreError } from '../../src/memory/errors.js'
import { milvusAddressProblem, milvusFailure } from '../../src/memory/stores/milvus/failures.js'
import type { EndpointDown, EndpointUp } from '../../src/endpoints/health.js'

/** An error as @grpc/grpc-js makes it: `code`, `details`, and a message of both. */
function grpcError (code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details })
}

const AT = { address: '127.0.0.1:19530', phase: 'connect' as const, timeoutMs: 10_000 }

describe('networkCause', () => {
  it('names a connection failure from the codes in the error and its causes', () => {
    const socket = (code: string): Error => Object.assign(new Error('socket'), { code })
    expect(networkCause(socket('ECONNREFUSED'))).toBe('connection refused')
    expect(networkCause(new Error('fetch failed', { cause: socket('ENOTFOUND') }))).toBe('host not found')
    expect(networkCause(new Error('fetch failed', { cause: new Error('other side closed', { cause: socket('UND_ERR_SOCKET') }) }))).toBe('the connection was closed before an answer')
    expect(networkCause(Object.assign(new Error('connect'), { errors: [socket('ECONNREFUSED'), socket('ECONNREFUSED')] }))).toBe('connection refused')
    expect(networkCause(new Error('No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1'))).toBe('connection refused')
  })

  it('is undefined for an error that is not about the connection', () => {
    expect(networkCause(new Error('collection not found'))).toBeUndefined()
    expect(networkCause('a string')).toBeUndefined()
    expect(networkCause(undefined)).toBeUndefined()
  })
})

describe('Milvus failures', () => {
  it('takes host:port, a bare host, http(s) URLs and IPv6, and refuses malformed addresses before connecting', () => {
    for (const ok of ['127.0.0.1:19530', 'milvus.internal:19530', 'localhost', 'http://127.0.0.1:19530', 'https://in01.example.com:443/', '[::1]:19530']) expect(milvusAddressProblem(ok), ok).toBeUndefined()
    expect(milvusAddressProblem('')).toMatch(/^malformed address, expected host:port/)
    expect(milvusAddressProblem('not a host')).toMatch(/^malformed address, expected host:port/)
    expect(milvusAddressProblem('http://')).toMatch(/^malformed address/)
    expect(milvusAddressProblem('127.0.0.1:notaport')).toBe('malformed address: "notaport" is not a port; expected host:port such as 127.0.0.1:19530')
    expect(milvusAddressProblem('127.0.0.1:99999')).toMatch(/"99999" is not a port/)
    expect(milvusAddressProblem('127.0.0.1:0')).toMatch(/"0" is not a port/)
    expect(milvusAddressProblem('a:1:2')).toMatch(/^malformed address/)
  })

  it('turns the client\'s transport errors into one line naming the address and the cause', () => {
    const refused = milvusFailure(grpcError(14, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:19530. Resolution note:  (retried 3 times, 163ms)'), AT)
    expect(refused).toBeInstanceOf(EndpointError)
    expect(refused?.message).toBe('cannot reach Milvus at 127.0.0.1:19530: connection refused (is it running? MILVUS_ADDRESS / memory.milvus.address)')
    expect(refused?.detail).toContain('ECONNREFUSED')
    expect(milvusFailure(grpcError(14, 'No connection established. Last error: Protocol error (2026-12-02T04:28:37.436Z). Resolution note:  (retried 3 times, 153ms)'), AT)?.reason).toBe('it answers, but not with gRPC')
    expect(milvusFailure(grpcError(14, 'No connection established. Last error: Failed to connect (2026-12-02T04:28:33.251Z). Resolution note:  (retried 3 times, 158ms)'), AT)?.reason).toBe('the connection was closed at once')
    expect(milvusFailure(grpcError(14, 'No connection established. Last error: Error: read ECONNRESET. Resolution note:  (retried 3 times, 150ms)'), AT)?.reason).toBe('the connection was closed at once')
    expect(milvusFailure(grpcError(14, 'No connection established. Last error: Error: read ECONNRESET. Resolution note:  (retried 3 times, 150ms)'), { ...AT, phase: 'request' })?.reason).toBe('the connection was closed before an answer')
    expect(milvusFailure(grpcError(14, 'Name resolution failed for target dns:nosuchhost.invalid:19530 (retried 3 times, 150ms)'), AT)?.reason).toBe('host not found')
    expect(milvusFailure(grpcError(14, 'No connection established. Last error: Error: 40:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/ssl/record.c:77:\n. Resolution note:  (retried 3 times, 175ms)'), AT)?.reason).toBe('TLS failed: wrong version number')
    expect(milvusFailure(grpcError(4, 'Deadline exceeded after 3.003s,name resolution: 0.011s,Waiting for LB pick'), AT)?.message).toBe('cannot reach Milvus at 127.0.0.1:19530: no answer within 10000 ms (is it running? MILVUS_ADDRESS / memory.milvus.address; memory.milvus.connectTimeoutMs sets the wait)')
    expect(milvusFailure(grpcError(4, 'Deadline exceeded'), { ...AT, phase: 'request', timeoutMs: 30_000 })?.message).toBe('cannot reach Milvus at 127.0.0.1:19530: no answer within 30000 ms (memory.milvus.requestTimeoutMs sets the wait)')
    const token = milvusFailure(grpcError(16, 'auth check failure, please check api key is correct'), AT)
    expect(token?.message).toBe('cannot use Milvus at 127.0.0.1:19530: the credentials were refused: auth check failure, please check api key is correct (check MILVUS_TOKEN / memory.milvus.token, or memory.milvus.username and password)')
    expect(milvusFailure(new Error('Could not parse target name ""'), AT)?.reason).toMatch(/^malformed address/)
    expect(milvusFailure(grpcError(14, 'No connection established. Last error: null. Resolution note:  (retried 3 times, 145ms)'), { ...AT, phase: 'request' })?.message).toBe('cannot reach Milvus at 127.0.0.1:19530: no connection')
  })

  it('leaves what is not the server\'s failure alone: a cancelled call, a refusal of one request', () => {
    expect(milvusFailure(grpcError(1, 'Cancelled on client'), AT)).toBeUndefined()
    expect(milvusFailure(grpcError(8, 'message larger than max'), AT)).toBeUndefined()
    expect(milvusFailure(new TypeError('Cannot read properties of undefined'), AT)).toBeUndefined()
  })
})

describe('openAiFailure', () => {
  const headers = new Headers()
  it('classifies the client\'s errors', async () => {
    expect(await openAiFailure(new APIConnectionTimeoutError(), 60_000)).toEqual({ kind: 'unreachable', reason: 'no answer within 60000 ms', answered: false })
    const refused = new APIConnectionError({ cause: new Error('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }) })
    expect(await openAiFailure(refused, 1000)).toEqual({ kind: 'unreachable', reason: 'connection refused', answered: false })
    expect(await openAiFailure(new AuthenticationError(401, { message: 'Incorrect API key provided' }, 'Incorrect API key provided', headers), 1000)).toEqual({ kind: 'credentials', reason: 'HTTP 401: Incorrect API key provided', answered: true })
    expect(await openAiFailure(new NotFoundError(404, undefined, undefined, headers), 1000)).toMatchObject({ kind: 'not_found', reason: 'HTTP 404' })
    expect((await openAiFailure(new RateLimitError(429, { message: 'slow down' }, 'slow down', headers), 1000)).kind).toBe('busy')
    expect(await openAiFailure(new InternalServerError(500, undefined, 'boom', headers), 1000)).toMatchObject({ kind: 'server', reason: 'HTTP 500: boom' })
    expect(await openAiFailure(new BadRequestError(400, { message: 'input too long' }, 'input too long', headers), 1000)).toMatchObject({ kind: 'refused', answered: true })
    expect((await openAiFailure(new APIUserAbortError(), 1000)).kind).toBe('aborted')
    expect(await openAiFailure(new SyntaxError('Unexpected token'), 1000)).toEqual({ kind: 'garbage', reason: 'the answer is not valid JSON', answered: true })
  })
})

describe('EndpointHealth', () => {
  const failure = new EndpointError({ endpoint: 'milvus', address: 'm:1', reason: 'connection refused', unreachable: true })

  it('reports one down per outage however many calls fail, one up when a call succeeds again, and counts both', async () => {
    const health = new EndpointHealth('milvus', 'm:1', 'memory calls fail until it is back')
    const downs: EndpointDown[] = []
    const ups: EndpointUp[] = []
    health.addEventListener('down', (evt) => { downs.push(evt.detail) })
    health.addEventListener('up', (evt) => { ups.push(evt.detail) })
    const fail = async (): Promise<unknown> => health.track(async () => { throw failure }).catch((err: unknown) => err)

    expect(await health.track(async () => 7)).toBe(7)
    expect(health.status()).toEqual({ endpoint: 'milvus', address: 'm:1', state: 'up', outages: 0, failures: 0 })
    for (let i = 0; i < 3; i++) expect(await fail()).toBe(failure)
    expect(downs).toEqual([{ endpoint: 'milvus', address: 'm:1', reason: 'connection refused', message: 'lost Milvus at m:1: connection refused; memory calls fail until it is back' }])
    expect(health.status()).toMatchObject({ state: 'down', outages: 1, failures: 3, reason: 'connection refused' })

    // an error that is not the endpoint's (a refused request, a bug) neither ends nor extends the outage
    await health.track(async () => { throw new MemoryStoreError('milvus: query failed: bad expression') }).catch(() => {})
    expect(health.status()).toMatchObject({ state: 'down', failures: 3 })

    await health.track(async () => 'ok')
    expect(ups).toHaveLength(1)
    expect(ups[0]).toMatchObject({ endpoint: 'milvus', address: 'm:1', failures: 3 })
    expect(ups[0]?.message).toMatch(/^Milvus at m:1 answers again after \d+ s; 3 calls failed meanwhile$/)
    expect(health.status()).toEqual({ endpoint: 'milvus', address: 'm:1', state: 'up', outages: 1, failures: 3 })

    await fail()
    expect(downs).toHaveLength(2)
    expect(health.status()).toMatchObject({ state: 'down', outages: 2, failures: 4 })
  })
})

describe('EndpointError at the API and in the CLI', () => {
  it('is answered 503 endpoint_unavailable, naming the endpoint and its address', () => {
    const err = new EndpointError({ endpoint: 'embedder', address: 'http://127.0.0.1:1/v1', reason: 'connection refused', unreachable: true, hint: 'is it running?' })
    expect(err.message).toBe('cannot reach the embeddings endpoint at http://127.0.0.1:1/v1: connection refused (is it running?)')
    const answer = toApiError(err)
    expect(answer).toMatchObject({ status: 503, code: 'endpoint_unavailable', message: err.message, details: { endpoint: 'embedder', address: 'http://127.0.0.1:1/v1' } })
    expect(withHint(err, 'try later').message).toBe('cannot reach the embeddings endpoint at http://127.0.0.1:1/v1: connection refused (try later)')
  })

  it('a cluster node that failed with its own one-line error is reported by that line', () => {
    const own = new ClusterStartError('node-1', 'exited with code 1', ['{"level":40,"msg":"a warning"}', 'oa-node: cannot reach Milvus at h:1: connection refused'])
    expect(own.message).toBe('node-1 did not start: cannot reach Milvus at h:1: connection refused')
    expect(own.reason).toBe('cannot reach Milvus at h:1: connection refused')
    const crash = new ClusterStartError('node-2', 'exited with code 1', ['TypeError: x is undefined', '    at f (file.js:1:1)'])
    expect(crash.message).toBe('node-2 did not start: exited with code 1\nTypeError: x is undefined\n    at f (file.js:1:1)')
  })
})
