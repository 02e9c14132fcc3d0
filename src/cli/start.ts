import { serveApi } from '../api/serve.js'
import { loadConfig } from '../config/load.js'
import { createLogger } from '../log/index.js'
import { createNode } from '../node/create-node.js'
import { restrictUmask } from '../files/private-files.js'
import { startIdleCollector } from '../runtime/idle-collector.js'
import { VERSION } from '../version.js'
import { fields, print, printJson } from './format.js'
import { flagsToLayer } from './flags.js'
import type { NodeFlags } from './flags.js'
import type { A2AService } from '../mods/a2a/service.js'

export interface StartFlags extends NodeFlags {
  json?: boolean
  /** Invites (`oa-invite:...`) to join with once the node runs. */
  join?: string[]
  stopOnStdinClose?: boolean
}

/** What `start --json` prints, one line, once the node listens. */
export interface StartedLine {
  event: 'started'
  peerId: string
  multiaddrs: string[]
  api: string
  dataDir: string
  communities: string[]
  pid: number
  version: string
  /** The A2A gateway's base URL, when it listens (`--a2a-port`). */
  a2a?: string
}

const STOP_DEADLINE_MS = 5_000

/**
 * `oa-node start`: runs a node until SIGINT/SIGTERM. Resolves with the exit code.
 */
export async function startCommand (flags: StartFlags): Promise<number> {
  const config = await loadConfig({ file: flags.config, env: process.env, flags: flagsToLayer(flags) })
  const log = createLogger({ level: config.log.level, verbose: flags.verbose, format: config.log.format })
  // what libraries write in the data dir (SQLite's -wal and -shm, the vector index) is private too
  restrictUmask()
  const node = await createNode(config)
  node.addEventListener('bootstrap:unreachable', (evt) => {
    log.warn({ attempt: evt.detail.attempt, retryInMs: evt.detail.retryInMs }, evt.detail.message)
  })
  // once per outage of Milvus or the embeddings endpoint, however many calls fail
  node.addEventListener('endpoint:down', (evt) => {
    log.warn({ endpoint: evt.detail.endpoint, address: evt.detail.address, reason: evt.detail.reason }, evt.detail.message)
  })
  node.addEventListener('endpoint:up', (evt) => {
    log.warn({ endpoint: evt.detail.endpoint, address: evt.detail.address, downForMs: evt.detail.downForMs, failures: evt.detail.failures }, evt.detail.message)
  })
  node.addEventListener('memory:notice', (evt) => { log.warn(evt.detail.message) })
  node.libp2p.services.agents.addEventListener('log', (evt) => {
    const { agent, level, message, fields } = evt.detail
    log[level]({ agent, ...fields }, message)
  })
  await node.start()
  let api: Awaited<ReturnType<typeof serveApi>>
  try {
    for (const invite of flags.join ?? []) {
      const joined = await node.libp2p.services.communities.join(invite)
      log.info({ community: joined.name, id: joined.id, role: joined.role }, 'joined a community')
    }
    api = await serveApi(node, { port: config.api.port, logger: log })
  } catch (err) {
    await node.stop()
    throw err
  }
  log.info({ peerId: node.peerId.toString(), api: api.url }, 'node started')
  // the process is the node's: hand back what the start and each burst left once it is idle
  const idle = startIdleCollector({
    onCollect: ({ residentBefore, residentAfter, ms }) => {
      log.debug({ heapMiB: [residentBefore, residentAfter].map(b => Math.round(b / 1048576)), ms: Math.round(ms) }, 'idle: heap collected')
    }
  })

  const a2aUrl = node.service<A2AService>('a2a')?.inboundUrl
  const announce = (): void => {
    const started: StartedLine = {
      event: 'started',
      peerId: node.peerId.toString(),
      multiaddrs: node.multiaddrs(),
      api: api.url,
      dataDir: config.dataDir,
      communities: node.communities,
      pid: process.pid,
      version: VERSION,
      ...(a2aUrl == null ? {} : { a2a: a2aUrl })
    }
    if (flags.json === true) {
      printJson(started)
    } else {
      print(`oa-node ${VERSION} started\n${fields([
        ['peer id', started.peerId],
        ['listening', started.multiaddrs],
        ['api', started.api],
        ...(a2aUrl == null ? [] : [['a2a', a2aUrl] as [string, string]]),
        ['data dir', started.dataDir],
        ['communities', started.communities],
        ['agents', node.libp2p.services.agents.list().map(a => `${a.name} (${a.state === 'failed' ? `failed: ${a.error ?? ''}` : a.kind})`)],
        ['llm', node.libp2p.services.agents.llm.describe()]
      ])}`)
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false
    // One stop, whatever asks for it first: a signal (Ctrl-C, SIGTERM) or, with
    // --stop-on-stdin-close, stdin closing. A signal while stopping means "now"; stdin
    // closing while stopping (a cluster that exits after signalling) is the same stop.
    const shutdown = (reason: string): void => {
      const signal = reason === 'SIGINT' || reason === 'SIGTERM'
      if (stopping) {
        if (signal) {
          log.warn('second stop signal: exiting now')
          resolve(1)
        }
        return
      }
      stopping = true
      log.info({ reason }, 'stopping')
      const deadline = setTimeout(() => {
        log.error(`node did not stop within ${STOP_DEADLINE_MS / 1000}s; exiting`)
        resolve(1)
      }, STOP_DEADLINE_MS)
      void (async () => {
        try {
          idle?.stop()
          await api.stop()
          await node.stop()
          log.info('stopped')
          resolve(0)
        } catch (err) {
          log.error({ err }, 'error while stopping')
          resolve(1)
        } finally {
          clearTimeout(deadline)
        }
      })()
    }
    process.on('SIGINT', () => { shutdown('SIGINT') })
    process.on('SIGTERM', () => { shutdown('SIGTERM') })
    if (flags.stopOnStdinClose === true) {
      process.stdin.on('end', () => { shutdown('stdin closed') })
      process.stdin.on('error', () => { shutdown('stdin error') })
      process.stdin.resume()
    }
    // announce only once the handlers are in place: whoever reads this line may signal at once
    announce()
  })
}
