import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, runProcess, startNodeProcess } from './cli.js'
import { buildTopology, NODE_PORT } from './netns.js'
import type { CliResult, NodeProcess } from './cli.js'
import type { HomeSpec, Topology } from './netns.js'
import type { NodeStatus, PeerInfoView } from '../../src/node/oa-node.js'

export const NAT_COMMUNITY = 'reach'

/** One node of the NAT cluster, a real process in its namespace. */
export interface NatNode {
  name: string
  ns: string
  dataDir: string
  process: NodeProcess
  peerId: string
  /** Runs `oa-node <args> --data-dir <its data dir>` in its namespace. */
  cli: (args: string[], timeoutMs?: number) => Promise<CliResult>
  /** `oa-node <args> --json` in its namespace, parsed; throws with stderr when it fails. */
  json: <T>(args: string[], timeoutMs?: number) => Promise<T>
  status: () => Promise<NodeStatus>
  peers: () => Promise<PeerInfoView[]>
}

export interface NatCluster {
  topology: Topology
  /** The public nodes: the first offers a relay and is everyone's bootstrap peer. */
  publics: NatNode[]
  /** One node per home, each hosting an agent `<name>_expert` with the capability `<name>_skill`. */
  homes: NatNode[]
  all: NatNode[]
  /** Stops every node, removes every namespace and the data dirs (safe to call twice, and after a failed start). */
  stop: () => Promise<void>
}

export interface NatHomeOptions extends HomeSpec {
  /** Bootstrap through every public node, not only the first (so that two public peers observe the node's address). */
  bootstrapAll?: boolean
  /** Extra YAML lines for the node's `network:` section. */
  network?: string[]
  /** Extra top-level YAML. */
  extra?: string
}

function nodeConfig (name: string, network: string[], extra = ''): string {
  return [
    `communities: [${NAT_COMMUNITY}]`,
    'network:',
    ...network.map(l => `  ${l}`),
    'agents:',
    `  - name: ${name}_expert`,
    '    type: expert',
    `    capabilities: [${name}_skill]`,
    `    description: Answers ${name} questions`,
    extra
  ].join('\n') + '\n'
}

/**
 * Builds the namespace topology and starts a node in each place: `publicNodes` nodes on the
 * public network (the first with `network.relay.serve`), and one behind each home's NAT,
 * all joining through the first. Names start with `prefix`; `bin` is the CLI to run (default this checkout's);
 * `common` is YAML added to every node's config.
 */
export async function startNatCluster (prefix: string, publicNodes: number, homes: NatHomeOptions[], bin = BIN, common = ''): Promise<NatCluster> {
  const root = await mkdtemp(join(tmpdir(), `${prefix}-`))
  const started: NatNode[] = []
  let topology: Topology | undefined
  const stop = async (): Promise<void> => {
    await Promise.all(started.splice(0).map(async n => n.process.stop()))
    await topology?.teardown()
    topology = undefined
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
  try {
    topology = await buildTopology(prefix, publicNodes, homes)
    const exec = topology.exec
    const start = async (name: string, ns: string, config: string): Promise<NatNode> => {
      const dataDir = join(root, name)
      const file = join(root, `${name}.yaml`)
      await writeFile(file, `${config}${common}`)
      const proc = await startNodeProcess(['--config', file, '--data-dir', dataDir, '--api-port', '0'], { OA_EMBEDDER: process.env.OA_EMBEDDER ?? 'lexical' }, { prefix: exec(ns), bin })
      const cli = async (args: string[], timeoutMs = 60_000): Promise<CliResult> => runProcess(exec(ns)[0] ?? 'ip', [...exec(ns).slice(1), process.execPath, bin, ...args, '--data-dir', dataDir], { timeoutMs })
      const json = async <T>(args: string[], timeoutMs?: number): Promise<T> => {
        const r = await cli([...args, '--json'], timeoutMs)
        if (r.code !== 0) throw new Error(`oa-node ${args.join(' ')} on ${name} exited ${r.code}: ${r.stderr.trim()}`)
        return JSON.parse(r.stdout) as T
      }
      const node: NatNode = {
        name,
        ns,
        dataDir,
        process: proc,
        peerId: proc.started.peerId,
        cli,
        json,
        status: async () => json<NodeStatus>(['status']),
        peers: async () => (await json<{ peers: PeerInfoView[] }>(['peers'])).peers
      }
      started.push(node)
      return node
    }
    const publics: NatNode[] = []
    let bootstrap = ''
    const everyPublic: string[] = []
    for (const [i, ip] of topology.publicIps.entries()) {
      const name = `pub${i + 1}`
      const addr = `/ip4/${ip}/tcp/${NODE_PORT}`
      const network = [`listen: [${addr}]`, `announce: [${addr}]`, ...(i === 0 ? ['relay: { serve: true }'] : [`bootstrap: [${bootstrap}]`])]
      const node = await start(name, topology.publicNs, nodeConfig(name, network))
      if (i === 0) bootstrap = `${addr}/p2p/${node.peerId}`
      everyPublic.push(`${addr}/p2p/${node.peerId}`)
      publics.push(node)
    }
    const homeNodes: NatNode[] = []
    for (const [i, home] of topology.homes.entries()) {
      const name = `home${i + 1}`
      const spec = homes[i]
      const network = [
        `listen: [/ip4/0.0.0.0/tcp/${NODE_PORT}]`,
        `bootstrap: [${spec?.bootstrapAll === true ? everyPublic.join(', ') : bootstrap}]`,
        // a mapped port is announced, as UPnP would
        ...(home.nat === 'mapped' ? [`announce: [/ip4/${home.publicIp}/tcp/${NODE_PORT}]`] : []),
        ...(spec?.network ?? [])
      ]
      homeNodes.push(await start(name, home.ns, nodeConfig(name, network, spec?.extra)))
    }
    return { topology, publics, homes: homeNodes, all: [...publics, ...homeNodes], stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The view of `peerId` among the node's connected peers, or undefined. */
export async function peerView (node: NatNode, peerId: string): Promise<PeerInfoView | undefined> {
  return (await node.peers()).find(p => p.peerId === peerId)
}
