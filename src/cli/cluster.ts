import { launchCluster } from '../cluster/launcher.js'
import { print, printJson, table } from './format.js'
import { UsageError } from './errors.js'

export interface ClusterFlags {
  nodes: number
  dataDir?: string
  basePort?: number
  community?: string[]
  config?: string
  json?: boolean
  verbose?: boolean
}

/**
 * `oa-node cluster --nodes N`: N real node processes on 127.0.0.1, node 1 the
 * bootstrap peer of the others. Runs until Ctrl-C / SIGTERM, then stops them all.
 */
export async function clusterCommand (flags: ClusterFlags): Promise<number> {
  if (flags.nodes < 1 || flags.nodes > 64) throw new UsageError(`--nodes: expected 1 to 64, got ${flags.nodes}`)
  if (flags.basePort != null && (flags.basePort < 1024 || flags.basePort + flags.nodes * 3 > 65535)) {
    throw new UsageError(`--base-port: ${flags.basePort} leaves no room for ${flags.nodes} nodes (3 ports each, between 1024 and 65535)`)
  }
  let stopping = false
  const extra = [
    ...(flags.community ?? []).flatMap(c => ['--community', c]),
    ...(flags.config != null ? ['--config', flags.config] : []),
    ...(flags.verbose === true ? ['--verbose'] : [])
  ]
  const cluster = await launchCluster({
    nodes: flags.nodes,
    dataDir: flags.dataDir,
    basePort: flags.basePort,
    args: () => extra,
    onLog: (node, line) => { process.stderr.write(`[${node.name}] ${line}\n`) },
    onUnexpectedExit: (node, code, signal) => {
      if (!stopping) process.stderr.write(`oa-node cluster: ${node.name} (pid ${node.pid}) exited unexpectedly with ${signal ?? `code ${code ?? '?'}`}\n`)
    }
  })
  if (flags.json === true) {
    printJson({ event: 'cluster.started', dataDir: cluster.dataDir, nodes: cluster.nodes })
  } else {
    print(table(['NAME', 'PEER ID', 'MULTIADDR', 'API', 'DATA DIR'], cluster.nodes.map(n => [
      n.name, n.peerId, n.multiaddrs.find(m => !m.includes('/ws')) ?? n.multiaddrs[0] ?? '-', n.api, n.dataDir
    ])))
    print(`\n${cluster.nodes.length} nodes running. Ctrl-C stops them all.`)
  }
  return new Promise<number>((resolve) => {
    const shutdown = (): void => {
      if (stopping) return
      stopping = true
      void cluster.stop().then(() => { resolve(0) })
    }
    process.once('SIGINT', shutdown)
    process.once('SIGTERM', shutdown)
    void cluster.exited.then(() => {
      if (!stopping) {
        process.stderr.write('oa-node cluster: every node has exited\n')
        resolve(1)
      }
    })
  })
}
