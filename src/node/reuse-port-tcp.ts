import net from 'node:net'
import { tcp } from '@libp2p/tcp'
import { isLoopback, isPrivate } from '@libp2p/utils'
import { overriding } from '../runtime/overriding.js'
import type { TCPComponents, TCPDialOptions, TCPOptions } from '@libp2p/tcp'
import type { Listener, Logger, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Socket } from 'node:net'

/** The parts of Node's TCP handle binding used here (`process.binding('tcp_wrap')`). */
interface TcpHandle {
  bind: (host: string, port: number, flags: number) => number
  bind6: (host: string, port: number, flags: number) => number
  close: () => void
}

interface TcpBinding {
  TCP: new (type: number) => TcpHandle
  constants: { SOCKET: number, UV_TCP_REUSEPORT?: number, UV_TCP_IPV6ONLY?: number }
}

/** @libp2p/tcp's transport opens every outbound socket with `_connect`, which hands its options to `net.connect`. */
interface Connectable {
  _connect: (ma: Multiaddr, options: TCPDialOptions) => Promise<Socket>
}

/** A TCP listener this transport listens with: its family, the host it is bound to, its port. */
interface Bound {
  family: 'ip4' | 'ip6'
  host: string
  port: number
}

/** Errors that mean "this local port cannot be used for that remote now": the dial goes out from an ephemeral port instead. */
const PORT_BUSY = new Set(['EADDRINUSE', 'EADDRNOTAVAIL'])

/** Where libuv's SO_REUSEPORT does what is needed here (elsewhere Node refuses `reusePort` for listening, or it balances differently). */
const REUSE_PORT_PLATFORMS = new Set<string>(['linux', 'freebsd'])

/** Node's TCP handle constructor, or undefined where the runtime or platform has none with SO_REUSEPORT. */
function tcpBinding (): TcpBinding | undefined {
  if (!REUSE_PORT_PLATFORMS.has(process.platform)) return undefined
  try {
    const binding = (process as unknown as { binding: (name: string) => unknown }).binding('tcp_wrap') as Partial<TcpBinding> | undefined
    if (typeof binding?.TCP !== 'function' || typeof binding.constants?.UV_TCP_REUSEPORT !== 'number') return undefined
    const proto = binding.TCP.prototype as Partial<TcpHandle> | undefined
    if (typeof proto?.bind !== 'function' || typeof proto.bind6 !== 'function') return undefined
    return binding as TcpBinding
  } catch {
    return undefined
  }
}

/** The family and host of a TCP multiaddr (`/ip4/<host>/tcp/<port>`), or undefined for another kind. */
function hostOf (ma: Multiaddr): { family: 'ip4' | 'ip6', host: string } | undefined {
  const first = ma.getComponents()[0]
  if (first?.value == null || (first.name !== 'ip4' && first.name !== 'ip6')) return undefined
  return { family: first.name, host: first.value }
}

/** The port of the listener's first address. */
function portOf (listener: Listener): number | undefined {
  const tcpPart = listener.getAddrs()[0]?.getComponents().find(c => c.name === 'tcp')
  const port = Number(tcpPart?.value)
  return Number.isInteger(port) && port > 0 ? port : undefined
}

function errorCode (err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Fails with EADDRINUSE when another socket holds `host:port`, SO_REUSEPORT or not (so two nodes cannot share a port by mistake). */
async function ensurePortFree (family: 'ip4' | 'ip6', host: string, port: number): Promise<void> {
  const probe = net.createServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject)
    probe.listen({ host, port, exclusive: true, ipv6Only: family === 'ip6' }, resolve)
  })
  await new Promise<void>(resolve => probe.close(() => { resolve() }))
}

/**
 * The port-reusing side of the transport: remembers the listeners' ports and opens
 * outbound sockets to public addresses from them.
 */
class PortReuse {
  private readonly bound = new Map<Listener, Bound>()

  constructor (private readonly binding: TcpBinding, private readonly log: Logger) {}

  /** Makes the listener check its port is free (without SO_REUSEPORT) before listening on it, and remember it once listening. */
  track (listener: Listener): void {
    const listen = listener.listen.bind(listener)
    listener.listen = async (ma: Multiaddr): Promise<void> => {
      const where = hostOf(ma)
      const wanted = Number(ma.getComponents().find(c => c.name === 'tcp')?.value)
      if (where != null && wanted > 0) await ensurePortFree(where.family, where.host, wanted)
      await listen(ma)
      const port = portOf(listener)
      if (where != null && port != null) this.bound.set(listener, { ...where, port })
    }
    listener.addEventListener('close', () => { this.bound.delete(listener) })
  }

  /** The listener an outbound socket to `ma` should leave from: one of the same family, not bound to loopback; none for private or loopback targets. */
  sourceFor (ma: Multiaddr): Bound | undefined {
    const target = hostOf(ma)
    if (target == null || isPrivate(ma) || isLoopback(ma)) return undefined
    for (const b of this.bound.values()) {
      if (b.family === target.family && !isLoopbackHost(b)) return b
    }
    return undefined
  }

  /** A socket handle bound to the listener's port with SO_REUSEPORT, or undefined when it cannot be bound. */
  handleFor (source: Bound): TcpHandle | undefined {
    const { TCP, constants } = this.binding
    const reuse = constants.UV_TCP_REUSEPORT ?? 0
    const handle = new TCP(constants.SOCKET)
    const rc = source.family === 'ip6'
      ? handle.bind6(source.host, source.port, reuse | (constants.UV_TCP_IPV6ONLY ?? 0))
      : handle.bind(source.host, source.port, reuse)
    if (rc === 0) return handle
    this.log('cannot bind %s:%d for an outbound socket (%d)', source.host, source.port, rc)
    handle.close()
    return undefined
  }
}

function isLoopbackHost (b: Bound): boolean {
  return b.family === 'ip4' ? b.host.startsWith('127.') : b.host === '::1'
}

/**
 * The upgrader for a dial made with `initiator: false` (the second dial of a hole punch):
 * the connection is marked inbound before it is upgraded, so that Noise, multistream-select
 * and yamux all take the responder's part. libp2p's upgrader alone switches only the first two,
 * and both ends of a TCP simultaneous open would be yamux clients.
 */
function responderUpgrader (upgrader: Upgrader): Upgrader {
  const upgradeOutbound = async (maConn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeOutbound']>[1]): ReturnType<Upgrader['upgradeOutbound']> => {
    maConn.direction = 'inbound'
    return upgrader.upgradeOutbound(maConn, opts)
  }
  return overriding(upgrader, { upgradeOutbound })
}

/** Whether outbound TCP connections can leave from the listening port here (the platform and runtime allow it). */
export function portReuseAvailable (): boolean {
  return tcpBinding() != null
}

export interface ReusePortTcpInit {
  /** Options of @libp2p/tcp. */
  tcp?: TCPOptions
  /** Reuse the listening port (default true); false is plain @libp2p/tcp. */
  reusePort?: boolean
}

/**
 * @libp2p/tcp whose listeners listen with SO_REUSEPORT and whose outbound connections to
 * public addresses leave from the port of the node's TCP listener of the same family,
 * as a TCP hole punch needs: the NAT maps that port once, so the address peers observe
 * for the node is the one its hole-punching peer dials, and the peer's SYN meets the
 * node's own. Dials to private and loopback addresses (a local cluster, a LAN) go out
 * from an ephemeral port as before; so does a dial whose port cannot be reused (a second
 * connection to the same remote address and port, or a runtime without the handle API).
 * A listener first checks its port is not held by another socket, so two nodes cannot
 * share a port by mistake. Only on Linux and FreeBSD; elsewhere it is plain @libp2p/tcp.
 * A dial with `initiator: false` (DCUtR's second dial) takes the
 * responder's part in every layer of the upgrade.
 *
 * @example
 * ```ts
 * const node = await createLibp2p({ transports: [reusePortTcp({ reusePort: true })], ... })
 * ```
 */
export function reusePortTcp (init: ReusePortTcpInit = {}): (components: TCPComponents) => Transport {
  const binding = init.reusePort === false ? undefined : tcpBinding()
  if (binding == null) return tcp(init.tcp)
  const listenOpts: NonNullable<TCPOptions['listenOpts']> & { reusePort: boolean } = { ...init.tcp?.listenOpts, reusePort: true }
  const plainTcp = tcp({ ...init.tcp, listenOpts })
  return components => {
    const log = components.logger.forComponent('oa:reuse-port-tcp')
    const transport = plainTcp(components)
    const connectable = transport as Transport & Partial<Connectable>
    const connect = connectable._connect?.bind(transport)
    if (connect == null) {
      log('the TCP transport has no _connect: dialling from ephemeral ports')
      return transport
    }
    const reuse = new PortReuse(binding, log)
    const createListener = transport.createListener.bind(transport)
    transport.createListener = options => {
      const listener = createListener(options)
      reuse.track(listener)
      return listener
    }
    // the options of dials whose socket connected from the listening port, and of those that must not
    const connectedFromPort = new WeakSet<object>()
    const ephemeral = new WeakSet<object>()
    const dial = transport.dial.bind(transport)
    transport.dial = async (ma, options) => {
      // DCUtR's `initiator`, handed down by the transport manager
      const responding = (options as { initiator?: boolean }).initiator === false
      const opts = responding ? { ...options, upgrader: responderUpgrader(options.upgrader) } : options
      try {
        return await dial(ma, opts)
      } catch (err) {
        // two nodes that dial each other from their listening ports at the same moment meet in one
        // TCP connection on which both start the handshake: dial again, from an ephemeral port
        if (responding || !connectedFromPort.has(opts) || opts.signal.aborted) throw err
        log('upgrading the connection to %a from port-reusing socket failed (%s): dialling from an ephemeral port', ma, (err as Error).message)
        const again = { ...opts }
        ephemeral.add(again)
        return dial(ma, again)
      }
    }
    connectable._connect = async (ma, options) => {
      const source = options.signal.aborted || ephemeral.has(options) ? undefined : reuse.sourceFor(ma)
      const handle = source == null ? undefined : reuse.handleFor(source)
      if (source == null || handle == null) return connect(ma, options)
      try {
        // manualStart: the socket must not read before it is connected
        const socket = await connect(ma, { ...options, handle, manualStart: true } as TCPDialOptions)
        connectedFromPort.add(options)
        log.trace('dialled %a from port %d', ma, source.port)
        return socket
      } catch (err) {
        if (!PORT_BUSY.has(errorCode(err) ?? '') || options.signal.aborted) throw err
        log('port %d cannot dial %a (%s): dialling from an ephemeral port', source.port, ma, errorCode(err))
        return connect(ma, options)
      }
    }
    return transport
  }
}
