import { launchCluster } from '../cluster/launcher.js'
import { loadConfig } from '../config/load.js'
import { relayLogLine, resolveLogFormat, useColor } from '../log/index.js'
import { print, printJson, table } from './format.js'
import { UsageError } from './errors.js'
import { flagsToLayer } from './flags.js'
import type { Cluster } from '../cluster/launcher.js'

export interface ClusterFlags {
  nodes: number
  dataDir?: string
  basePort?: number
  community?: string[]
  config?: string
  json?: boolean
  verbose?: boolean
  logFormat?: string
}

/**
 * `oa-node cluster --nodes N`: N real node processes on 127.0.0.1, node 1 the
 * bootstrap peer of the others. Runs until Ctrl-C / SIGTERM, then stops them all; a
 * second Ctrl-C kills the nodes still running.
 */
export async function clusterCommand (flags: ClusterFlags): Promise<number> {
  if (flags.nodes < 1 || flags.nodes > 64) throw new UsageError(`--nodes: expected 1 to 64, got ${flags.nodes}`)
  if (flags.basePort != null && (flags.basePort < 1024 || flags.basePort + flags.nodes * 3 > 65535)) {
    throw new UsageError(`--base-port: ${flags.basePort} leaves no room for ${flags.nodes} nodes (3 ports each, between 1024 and 65535)`)
  }
  // the file and OA_* variables every node reads: a problem is a usage error here, before any node starts
  const config = await loadConfig({ file: flags.config, env: process.env, flags: flagsToLayer({ community: flags.community, logFormat: flags.logFormat }) })
  const format = resolveLogFormat(config.log.format, process.stderr.isTTY)
  const color = format === 'text' && useColor(process.stderr, process.env)
  const verbose = flags.verbose === true
  const extra = [
    ...(flags.community ?? []).flatMap(c => ['--community', c]),
    ...(flags.config != null ? ['--config', flags.config] : []),
    ...(verbose ? ['--verbose'] : [])
  ]

  let stopping = false
  let cluster: Cluster | undefined
  const launch = new AbortController()
  let resolveStop: (code: number) => void = () => {}
  const stopped = new Promise<number>((resolve) => { resolveStop = resolve })
  // the nodes run in their own process group: the terminal's Ctrl-C reaches only this
  // process, which asks each node once to stop; a second Ctrl-C kills what still runs
  const onSignal = (): void => {
    if (stopping) {
      process.stderr.write('oa-node cluster: second stop signal: killing the nodes still running\n')
      cluster?.kill()
      resolveStop(1)
      return
    }
    stopping = true
    if (cluster == null) {
      launch.abort()
      return
    }
    process.stderr.write(`oa-node cluster: stopping ${cluster.nodes.length} node${cluster.nodes.length === 1 ? '' : 's'}...\n`)
    void cluster.stop().then(() => { resolveStop(0) })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    try {
      cluster = await launchCluster({
        nodes: flags.nodes,
        dataDir: flags.dataDir,
        basePort: flags.basePort,
        args: () => extra,
        signal: launch.signal,
        onLog: (node, line) => { process.stderr.write(`${relayLogLine(node.name, line, { format, color, verbose })}\n`) },
        onUnexpectedExit: (node, code, signal) => {
          if (!stopping) process.stderr.write(`oa-node cluster: ${node.name} (pid ${node.pid}) exited unexpectedly with ${signal ?? `code ${code ?? '?'}`}\n`)
        }
      })
    } catch (err) {
      // Ctrl-C while the nodes start: the launcher has stopped those it launched
      if (launch.signal.aborted) return 0
      throw err
    }
    if (flags.json === true) {
      printJson({ event: 'cluster.started', dataDir: cluster.dataDir, nodes: cluster.nodes })
    } else {
      print(table(['NAME', 'PEER ID', 'MULTIADDR', 'API', 'DATA DIR'], cluster.nodes.map(n => [
        n.name, n.peerId, n.multiaddrs.find(m => !m.includes('/ws')) ?? n.multiaddrs[0] ?? '-', n.api, n.dataDir
      ])))
      print(`\n${cluster.nodes.length} nodes running. Ctrl-C stops them all.`)
    }
    void cluster.exited.then(() => {
      if (!stopping) {
        process.stderr.write('oa-node cluster: every node has exited\n')
        resolveStop(1)
      }
    })
    return await stopped
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}
