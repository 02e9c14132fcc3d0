import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MilvusClient } from '@zilliz/milvus2-sdk-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError } from '../../src/api/client.js'
import { startNodeProcess } from '../helpers/cli.js'
import { TcpProxy } from '../helpers/endpoints.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'
import type { NodeStatus } from '../../src/node/oa-node.js'

const address = process.env.MILVUS_ADDRESS

if (address == null || address === '') {
  console.log('skipping the Milvus outage test: MILVUS_ADDRESS is not set (.ci/run starts milvus-lite and sets it)')
  describe('a Milvus that goes away while the node runs', () => {
    it.skip('needs MILVUS_ADDRESS', () => {})
  })
} else {
  describe('a Milvus that goes away while the node runs, and comes back', () => {
    const C = 'devsupport'
    const collection = `oa_outage_${process.pid}_${Date.now()}`
    // the node reaches Milvus through a proxy the test can take away
    const proxy = new TcpProxy(address)
    let dir: { path: string, cleanup: () => Promise<void> }
    let node: NodeProcess
    let api: ApiClient

    beforeAll(async () => {
      await proxy.start()
      dir = await tempDir()
      const config = join(dir.path, 'node.yaml')
      await writeFile(config, `memory:\n  milvus:\n    collection: ${collection}\n    consistencyLevel: Strong\n`)
      const dataDir = join(dir.path, 'node')
      node = await startNodeProcess(['--config', config, '--memory', 'milvus', '--community', C, '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'], { MILVUS_ADDRESS: proxy.address })
      api = await ApiClient.fromDataDir(dataDir)
    })

    afterAll(async () => {
      await node?.stop()
      await proxy.stop()
      await dir?.cleanup()
      const client = new MilvusClient({ address, logLevel: 'error' })
      await client.dropCollection({ collection_name: collection })
      await client.closeConnection()
    })

    const remember = async (text: string): Promise<unknown> => api.post(`/v1/communities/${C}/memory`, { text })
    const milvusStatus = async (): Promise<NodeStatus['endpoints'][number] | undefined> =>
      (await api.get<NodeStatus>('/v1/status')).endpoints.find(e => e.endpoint === 'milvus')
    const logLines = (pattern: RegExp): string[] => node.stderr().split('\n').filter(l => pattern.test(l))

    it('fails memory calls with 503 naming Milvus and its address, keeps running, logs once, and recovers', async () => {
      await remember('The janitor job flushes the quokka cache nightly')
      expect(await milvusStatus()).toEqual({ endpoint: 'milvus', address: proxy.address, state: 'up', outages: 0, failures: 0 })

      await proxy.stop()
      for (let i = 0; i < 3; i++) {
        const err = await remember(`written during the outage ${i}`).then(() => undefined, (e: unknown) => e)
        expect(err).toBeInstanceOf(ApiRequestError)
        expect(err).toMatchObject({ status: 503, code: 'endpoint_unavailable', details: { endpoint: 'milvus', address: proxy.address } })
        expect((err as Error).message).toMatch(new RegExp(`^cannot reach Milvus at ${proxy.address.replaceAll('.', '\\.')}: `))
      }
      const search = await api.get(`/v1/communities/${C}/memory/search?mode=text&q=quokka`).then(() => undefined, (e: unknown) => e)
      expect(search).toMatchObject({ status: 503, code: 'endpoint_unavailable' })
      expect(await milvusStatus()).toMatchObject({ state: 'down', outages: 1 })
      expect((await milvusStatus())?.failures).toBeGreaterThanOrEqual(4)
      await waitFor('the outage in the log', () => logLines(/lost Milvus at/).length >= 1)
      expect(logLines(/lost Milvus at/)).toHaveLength(1)
      expect(node.proc.exitCode).toBeNull()

      await proxy.start()
      // the client finds the server again within its reconnect backoff (at most 5 s)
      await waitFor('a write through the proxy again', async () => { await remember('Written after Milvus came back'); return true }, 30_000, 250)
      expect(await milvusStatus()).toMatchObject({ state: 'up', outages: 1 })
      await waitFor('the recovery in the log', () => logLines(/Milvus at .* answers again after/).length >= 1)
      expect(logLines(/Milvus at .* answers again after/)).toHaveLength(1)
      expect(logLines(/lost Milvus at/)).toHaveLength(1)
      const { hits } = await api.get<{ hits: Array<{ text: string }> }>(`/v1/communities/${C}/memory/search?mode=text&q=quokka`)
      expect(hits.map(h => h.text)).toContain('The janitor job flushes the quokka cache nightly')
    }, 90_000)
  })
}
