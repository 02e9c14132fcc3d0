/**
 * One fresh node in a process of its own, for bench:replication's catch-up: it starts,
 * joins the cluster through `bootstrap`, and reports over IPC once it holds `expected`
 * records of the community: seconds from its start and from its first record stored,
 * the texts its embedder was asked to embed, and CPU milliseconds by kind of thread.
 * A node is a process of its own in every deployment; here the catch-up is measured
 * without the senders' work on the same event loop.
 *
 *   fork('dist/scripts/bench/catch-up-node.js', [JSON.stringify(task)])
 */
import { loadConfig } from '../../src/config/load.js'
import { NeuralEmbedder } from '../../src/memory/embedders/neural.js'
import { DEFAULT_MODEL, modelDir, readInstalledModel } from '../../src/models/manifest.js'
import { createNode } from '../../src/node/create-node.js'
import { CountingEmbedder } from '../../test/helpers/kept-vectors.js'
import { threadCpuMs, threadCpuSince } from './util.js'
import type { Embedder } from '../../src/memory/embedders/types.js'

/** What the parent asks of the child. */
export interface CatchUpTask {
  dataDir: string
  bootstrap: string
  community: string
  expected: number
  /** The writers' kind of embedder, run here too. */
  embedder: 'lexical' | 'neural'
  /** The embedder's name: the writers' own (vectors reused) or another (every text embedded by the same model). */
  embedderName: string
  dimension: number
  deadlineMs: number
}

/** What the child reports. */
export interface CatchUpResult {
  s: number
  sync: number
  embedded: number
  cpu: Array<[string, number]>
  error?: string
}

/** The installed neural model under `name`, counting the texts it embeds. */
async function renamedNeural (name: string): Promise<Embedder & { texts: string[] }> {
  const model = await readInstalledModel(modelDir(process.env.OA_MODEL_DIR), DEFAULT_MODEL)
  if (model == null) throw new Error(`no ${DEFAULT_MODEL} in ${modelDir(process.env.OA_MODEL_DIR)}: run npm run models:test`)
  const inner = await NeuralEmbedder.load(model)
  const texts: string[] = []
  return {
    name,
    dimension: inner.dimension,
    texts,
    embed: async (batch: string[]) => {
      texts.push(...batch)
      return inner.embed(batch)
    }
  }
}

async function run (task: CatchUpTask): Promise<CatchUpResult> {
  const t0 = performance.now()
  const cpu0 = threadCpuMs()
  const embedder = task.embedder === 'neural' ? await renamedNeural(task.embedderName) : new CountingEmbedder(task.embedderName, task.dimension)
  const config = await loadConfig({ flags: { dataDir: task.dataDir, communities: [task.community], network: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [task.bootstrap] }, memory: { embedder: task.embedder, capture: { '*': [] }, syncIntervalMs: 5_000 } } })
  const node = await createNode(config, { memoryEmbedder: embedder })
  await node.start()
  let first: number | undefined
  node.libp2p.services.memory.addEventListener('record:added', () => { first ??= performance.now() })
  const deadline = Date.now() + task.deadlineMs
  const held = async (): Promise<number> => Object.values(await node.libp2p.services.memory.replicaStatus(task.community)).reduce((n, o) => n + o.records, 0)
  try {
    while (await held() < task.expected) {
      if (Date.now() > deadline) throw new Error(`gave up waiting for the catch-up: ${await held()} of ${task.expected} records held`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    const end = performance.now()
    const cpu = threadCpuSince(cpu0)
    return { s: (end - t0) / 1000, sync: (end - (first ?? t0)) / 1000, embedded: embedder.texts.length, cpu: [...cpu] }
  } finally {
    await node.stop()
  }
}

const task = JSON.parse(process.argv[2] ?? '{}') as CatchUpTask
const result: CatchUpResult = await run(task).catch((err: unknown) => ({ s: 0, sync: 0, embedded: 0, cpu: [], error: (err as Error).message }))
process.send?.(result, () => { process.exit(0) })
