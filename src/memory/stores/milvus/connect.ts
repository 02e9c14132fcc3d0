import { CONNECT_STATUS, MilvusClient } from '@zilliz/milvus2-sdk-node'
import { EndpointError } from '../../../endpoints/errors.js'
import { MemoryStoreError } from '../../errors.js'
import { malformedAddress, milvusAddressProblem, milvusFailure, notMilvus } from './failures.js'
import type { createCollectionRequest, indexRequests, MilvusSettings, MilvusStatus } from './requests.js'

/** The SDK calls this store makes, as narrow types. */
export interface Client {
  hasCollection (req: { collection_name: string }): Promise<{ status?: MilvusStatus, value: boolean }>
  createCollection (req: ReturnType<typeof createCollectionRequest>): Promise<MilvusStatus>
  createIndex (req: ReturnType<typeof indexRequests>[number]): Promise<MilvusStatus>
  describeIndex (req: { collection_name: string, field_name: string }): Promise<{ status?: MilvusStatus, index_descriptions?: Array<{ field_name?: string }> }>
  loadCollection (req: { collection_name: string }): Promise<MilvusStatus>
  describeCollection (req: { collection_name: string }): Promise<{ status?: MilvusStatus, properties?: Array<{ key: string, value: string }>, schema?: { description?: string, fields?: Array<{ name: string, dim?: string | number, type_params?: Array<{ key: string, value: string }> }> } }>
  upsert (req: { collection_name: string, data: Array<Record<string, unknown>>, timeout?: number }): Promise<{ status?: MilvusStatus }>
  search (req: unknown): Promise<{ status?: MilvusStatus, results: Array<Record<string, unknown>> }>
  hybridSearch (req: unknown): Promise<{ status?: MilvusStatus, results: Array<Record<string, unknown>> }>
  query (req: { collection_name: string, filter: string, output_fields: string[], limit?: number, consistency_level?: string, timeout?: number }): Promise<{ status?: MilvusStatus, data: Array<Record<string, unknown>> }>
  delete (req: { collection_name: string, filter: string, timeout?: number }): Promise<{ status?: MilvusStatus, delete_cnt?: number | string }>
  closeConnection (): Promise<unknown>
}

/** gRPC channel options: a server that comes back is found again within seconds (the default backoff grows to two minutes). */
const CHANNEL_OPTIONS = {
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 5_000
}

/**
 * Connects to the Milvus server of `settings` and waits for its handshake, each call
 * bounded by `connectTimeoutMs`. A missing or malformed address, a server that cannot be
 * reached, one that is not Milvus and refused credentials fail with an `EndpointError`
 * naming the address and the cause (a missing address with a `MemoryStoreError`).
 *
 * @example
 * ```ts
 * const client = await connect({ ...config.memory.milvus, address: '127.0.0.1:19530' })
 * ```
 */
export async function connect (settings: MilvusSettings): Promise<Client> {
  const address = settings.address
  if (address == null) throw new MemoryStoreError('memory.store is milvus but no address is set: set MILVUS_ADDRESS or memory.milvus.address')
  const problem = milvusAddressProblem(address)
  if (problem != null) throw malformedAddress(address, problem)
  const at = { address, phase: 'connect' as const, timeoutMs: settings.connectTimeoutMs }
  const failed = (err: unknown): EndpointError =>
    milvusFailure(err, at) ?? new EndpointError({ endpoint: 'milvus', address, reason: (err as Error).message, unreachable: true, hint: 'MILVUS_ADDRESS / memory.milvus.address', detail: (err as Error).message })
  let client: MilvusClient
  try {
    client = new MilvusClient({
      address,
      ...(settings.token == null ? {} : { token: settings.token }),
      ...(settings.username == null ? {} : { username: settings.username, password: settings.password }),
      ...(settings.database == null ? {} : { database: settings.database }),
      ssl: settings.tls,
      timeout: settings.connectTimeoutMs,
      channelOptions: CHANNEL_OPTIONS,
      // the SDK logs to the console through its own logger (debug under NODE_ENV=test); the node reports failures itself
      logLevel: 'error'
    })
  } catch (err) {
    throw failed(err)
  }
  // the client starts its handshake in the constructor; when it fails, nothing else awaits it
  try {
    await client.connectPromise
  } catch (err) {
    await client.closeConnection().catch(() => {})
    throw failed(err)
  }
  if (client.connectStatus !== CONNECT_STATUS.CONNECTED) {
    await client.closeConnection().catch(() => {})
    throw notMilvus(address)
  }
  return client as unknown as Client
}
