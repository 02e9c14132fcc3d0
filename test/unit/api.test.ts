import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError, NodeNotRunningError, Router, serveApi } from '../../src/api/index.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import type { ServedApi } from '../../src/api/index.js'
import type { NodeStatus, OaNode } from '../../src/node/index.js'

describe('control API', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  let api: ServedApi

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'n1', { communities: ['devsupport'] })
    api = await serveApi(node, { port: 0 })
  })

  afterAll(async () => {
    await api.stop()
    await node.stop()
    await dir.cleanup()
  })

  it('binds 127.0.0.1 and publishes api.json and a 0600 token in the data dir', async () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const info = JSON.parse(await readFile(join(node.config.dataDir, 'api.json'), 'utf8')) as { url: string, pid: number, peerId: string }
    expect(info).toMatchObject({ url: api.url, pid: process.pid, peerId: node.peerId.toString() })
    expect((await stat(join(node.config.dataDir, 'api.token'))).mode & 0o777).toBe(0o600)
  })

  it('answers 401 without the token or with a wrong one', async () => {
    const none = await fetch(`${api.url}/v1/status`)
    expect(none.status).toBe(401)
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
    const wrong = await fetch(`${api.url}/v1/status`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })
    expect(wrong.status).toBe(401)
  })

  it('serves status and peers to a client found through the data dir', async () => {
    const client = await ApiClient.fromDataDir(node.config.dataDir)
    const status = await client.get<NodeStatus>('/v1/status')
    expect(status.peerId).toBe(node.peerId.toString())
    expect(status.communities).toEqual(['devsupport'])
    expect(status.peers).toBe(0)
    expect(status.multiaddrs.every(ma => ma.endsWith(`/p2p/${node.peerId.toString()}`))).toBe(true)
    expect(await client.get('/v1/peers')).toEqual({ peers: [] })
  })

  it('names an unknown endpoint and a wrong method', async () => {
    const client = await ApiClient.fromDataDir(node.config.dataDir)
    await expect(client.get('/v1/nope')).rejects.toThrow('no such endpoint: /v1/nope')
    const err = await client.post('/v1/status', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiRequestError)
    expect((err as ApiRequestError).status).toBe(405)
  })

  it('says no node is running for a data dir without api.json', async () => {
    await expect(ApiClient.fromDataDir(join(dir.path, 'elsewhere'))).rejects.toThrow(NodeNotRunningError)
  })
})

describe('Router', () => {
  it('extracts decoded path parameters', () => {
    const router = new Router().get('/v1/communities/:c/channels/:ch', () => Promise.resolve(null))
    expect(router.match('GET', '/v1/communities/dev%20x/channels/general').params).toEqual({ c: 'dev x', ch: 'general' })
  })
})
