import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** How a NAT namespace treats traffic from the public side that no home node asked for. */
export type NatKind =
  /**
   * A home router: MASQUERADE with endpoint-independent mapping (the NAT keeps the source
   * port when it is free), and every unsolicited packet from the public side dropped
   * silently (no RST). A packet of a connection the home node opened, or is opening, passes:
   * two such NATs allow a TCP hole punch.
   */
  | 'masquerade'
  /**
   * MASQUERADE with endpoint-dependent mapping (a random public port for every connection,
   * `--random-fully`), unsolicited packets dropped silently: peers observe another port
   * each, so no hole punch is possible.
   */
  | 'symmetric'
  /** MASQUERADE, and the home node's TCP port is mapped on the NAT's public address (as UPnP or a port forward does). */
  | 'mapped'

export interface HomeSpec {
  nat: NatKind
}

/** One home network behind its NAT namespace. */
export interface Home {
  /** The namespace the home node runs in. */
  ns: string
  /** The NAT's namespace. */
  natNs: string
  /** The home node's address (192.168.<i>.2). */
  ip: string
  /** The NAT's address on the public network. */
  publicIp: string
  nat: NatKind
}

export interface Topology {
  /** The public namespace: one bridge (`oa-pub`) holding the public nodes' addresses. */
  publicNs: string
  /** Addresses of the public nodes, on the bridge. */
  publicIps: string[]
  homes: Home[]
  /** The argv prefix that runs a command in a namespace. */
  exec: (ns: string) => string[]
  /** Deletes every namespace of the topology (and so every veth and bridge in them). */
  teardown: () => Promise<void>
}

/** The public side's network. It is not in libp2p's private ranges, so the nodes treat it as the internet; the namespaces have no link to the host, so nothing leaves them. */
export const PUBLIC_NET = '11.77.0'
/** The TCP port every node of the topology listens on. */
export const NODE_PORT = 7700

async function sh (...argv: string[]): Promise<string> {
  const [command, ...args] = argv
  const { stdout } = await run(command ?? 'true', args, { timeout: 15_000 })
  return stdout
}

/** Why namespaces cannot be made here, or undefined when they can (tried with a namespace that is removed at once). */
export async function netnsUnavailable (prefix: string): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  const probe = `${prefix}probe`
  try {
    await sh('ip', 'netns', 'add', probe)
  } catch (err) {
    return `cannot create a network namespace with "ip netns add" (${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()})`
  }
  try {
    await sh('ip', 'netns', 'exec', probe, 'iptables', '-t', 'nat', '-L', '-n')
  } catch (err) {
    return `iptables does not work in a network namespace (${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()})`
  } finally {
    await sh('ip', 'netns', 'del', probe).catch(() => undefined)
  }
  return undefined
}

/** Deletes the namespaces whose names start with `prefix` (those of a run that crashed), after ending the node processes a crashed run left in them. */
export async function removeNamespaces (prefix: string): Promise<void> {
  const list = await sh('ip', 'netns', 'list').catch(() => '')
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? ''
    if (!name.startsWith(prefix)) continue
    const pids = await sh('ip', 'netns', 'pids', name).catch(() => '')
    for (const pid of pids.split('\n').map(Number).filter(n => n > 0 && n !== process.pid)) {
      try { process.kill(pid, 'SIGKILL') } catch { /* gone already */ }
    }
    await sh('ip', 'netns', 'del', name).catch(() => undefined)
  }
}

/**
 * Builds the topology: a public namespace with a bridge and `publicNodes` addresses on it
 * (11.77.0.2, .3, ...), and for each home a NAT namespace (11.77.0.1<i> on the bridge,
 * 192.168.<i>.1 inside, MASQUERADE) and a home namespace (192.168.<i>.2, routed through
 * its NAT). Names start with `prefix` (at most 6 characters); leftovers of an earlier run
 * with the prefix are removed first. On a failure half way, what was made is removed.
 */
export async function buildTopology (prefix: string, publicNodes: number, homes: HomeSpec[]): Promise<Topology> {
  await removeNamespaces(prefix)
  const publicNs = `${prefix}pub`
  const made: string[] = []
  const teardown = async (): Promise<void> => {
    for (const ns of made.reverse()) await sh('ip', 'netns', 'del', ns).catch(() => undefined)
    await removeNamespaces(prefix)
  }
  const inNs = (ns: string, ...argv: string[]): Promise<string> => sh('ip', 'netns', 'exec', ns, ...argv)
  const addNs = async (ns: string): Promise<void> => {
    await sh('ip', 'netns', 'add', ns)
    made.push(ns)
    await inNs(ns, 'ip', 'link', 'set', 'lo', 'up')
  }
  try {
    await addNs(publicNs)
    await inNs(publicNs, 'ip', 'link', 'add', 'oa-pub', 'type', 'bridge')
    await inNs(publicNs, 'ip', 'link', 'set', 'oa-pub', 'up')
    const publicIps: string[] = []
    for (let i = 0; i < publicNodes; i++) {
      const ip = `${PUBLIC_NET}.${i + 2}`
      await inNs(publicNs, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'oa-pub')
      publicIps.push(ip)
    }
    const built: Home[] = []
    for (const [index, spec] of homes.entries()) {
      const i = index + 1
      const natNs = `${prefix}nat${i}`
      const ns = `${prefix}home${i}`
      const publicIp = `${PUBLIC_NET}.${10 + i}`
      const ip = `192.168.${i}.2`
      await addNs(natNs)
      await addNs(ns)
      // the NAT's public leg, on the bridge
      await sh('ip', 'link', 'add', `${prefix}n${i}p`, 'netns', natNs, 'type', 'veth', 'peer', 'name', `${prefix}b${i}`, 'netns', publicNs)
      await inNs(publicNs, 'ip', 'link', 'set', `${prefix}b${i}`, 'master', 'oa-pub', 'up')
      await inNs(natNs, 'ip', 'addr', 'add', `${publicIp}/24`, 'dev', `${prefix}n${i}p`)
      await inNs(natNs, 'ip', 'link', 'set', `${prefix}n${i}p`, 'up')
      // the home leg
      await sh('ip', 'link', 'add', `${prefix}n${i}h`, 'netns', natNs, 'type', 'veth', 'peer', 'name', `${prefix}h${i}`, 'netns', ns)
      await inNs(natNs, 'ip', 'addr', 'add', `192.168.${i}.1/24`, 'dev', `${prefix}n${i}h`)
      await inNs(natNs, 'ip', 'link', 'set', `${prefix}n${i}h`, 'up')
      await inNs(ns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', `${prefix}h${i}`)
      await inNs(ns, 'ip', 'link', 'set', `${prefix}h${i}`, 'up')
      await inNs(ns, 'ip', 'route', 'add', 'default', 'via', `192.168.${i}.1`)
      await inNs(natNs, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1')
      await inNs(natNs, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', `${prefix}n${i}p`, '-j', 'MASQUERADE', ...(spec.nat === 'symmetric' ? ['--random-fully'] : []))
      if (spec.nat === 'masquerade' || spec.nat === 'symmetric') {
        for (const chain of ['INPUT', 'FORWARD']) await inNs(natNs, 'iptables', '-A', chain, '-i', `${prefix}n${i}p`, '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP')
      } else {
        await inNs(natNs, 'iptables', '-t', 'nat', '-A', 'PREROUTING', '-i', `${prefix}n${i}p`, '-p', 'tcp', '--dport', String(NODE_PORT), '-j', 'DNAT', '--to-destination', `${ip}:${NODE_PORT}`)
      }
      built.push({ ns, natNs, ip, publicIp, nat: spec.nat })
    }
    return { publicNs, publicIps, homes: built, exec: ns => ['ip', 'netns', 'exec', ns], teardown }
  } catch (err) {
    await teardown()
    throw err
  }
}
