import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { holePunchConnectionManager } from '../../src/node/hole-punch.js'
import type { Connection, ConnectionGater } from '@libp2p/interface'
import type { ConnectionManager, TransportManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

const PEER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const DENIED = '/ip4/11.77.0.66/tcp/7700'

interface Dialled { ma: string, initiator: unknown, signal: AbortSignal }

function fakes (fail: string[] = []) {
  const dialled: Dialled[] = []
  const queued: unknown[] = []
  const transportManager = {
    dial: async (ma: Multiaddr, options: { signal: AbortSignal, initiator?: boolean }) => {
      dialled.push({ ma: ma.toString(), initiator: options.initiator, signal: options.signal })
      if (fail.some(f => ma.toString().startsWith(f))) throw new Error(`cannot reach ${ma.toString()}`)
      return { remoteAddr: ma } as unknown as Connection
    }
  } as unknown as TransportManager
  const connectionManager = {
    openConnection: async (target: unknown) => { queued.push(target); return {} as Connection },
    getConnections: () => []
  } as unknown as ConnectionManager
  const connectionGater: ConnectionGater = { denyDialMultiaddr: async (ma: Multiaddr) => ma.toString().startsWith(DENIED) }
  return { dialled, queued, view: holePunchConnectionManager({ connectionManager, transportManager, connectionGater }) }
}

describe('the connection manager DCUtR dials through', () => {
  it('dials a list of addresses on the transports, in order, keeping initiator: false and skipping what the gater denies', async () => {
    const { dialled, queued, view } = fakes(['/ip4/11.77.0.14'])
    const addrs = [`${DENIED}/p2p/${PEER}`, `/ip4/11.77.0.14/tcp/7700/p2p/${PEER}`, `/ip4/11.77.0.15/tcp/7700/p2p/${PEER}`].map(a => multiaddr(a))
    const conn = await view.openConnection(addrs, { signal: AbortSignal.timeout(5_000), initiator: false })
    expect(conn.remoteAddr.toString()).toBe(`/ip4/11.77.0.15/tcp/7700/p2p/${PEER}`)
    expect(dialled.map(d => [d.ma, d.initiator])).toEqual([[`/ip4/11.77.0.14/tcp/7700/p2p/${PEER}`, false], [`/ip4/11.77.0.15/tcp/7700/p2p/${PEER}`, false]])
    expect(queued).toEqual([])
  })

  it('lets the caller\'s signal abort the dial but not the connection once it is open', async () => {
    const { dialled, view } = fakes()
    const caller = new AbortController()
    await view.openConnection([multiaddr(`/ip4/11.77.0.15/tcp/7700/p2p/${PEER}`)], { signal: caller.signal })
    // DCUtR's signal is a timeout that fires after the dial: the socket must outlive it
    caller.abort()
    expect(dialled[0]?.signal.aborted).toBe(false)
    const aborted = new AbortController()
    aborted.abort()
    await expect(view.openConnection([multiaddr(`/ip4/11.77.0.15/tcp/7700/p2p/${PEER}`)], { signal: aborted.signal })).rejects.toThrow()
  })

  it('fails with the last error when no address can be dialled, and leaves a peer id to the node\'s connection manager', async () => {
    const { queued, view } = fakes(['/ip4/'])
    await expect(view.openConnection([multiaddr(`/ip4/11.77.0.15/tcp/7700/p2p/${PEER}`)], { signal: AbortSignal.timeout(5_000) })).rejects.toThrow('cannot reach /ip4/11.77.0.15')
    await expect(view.openConnection([multiaddr(`${DENIED}/p2p/${PEER}`)], { signal: AbortSignal.timeout(5_000) })).rejects.toThrow('no address to dial directly')
    const one = multiaddr(`/ip4/11.77.0.15/tcp/7700/p2p/${PEER}`)
    await view.openConnection(one)
    expect(queued).toEqual([one])
    expect(view.getConnections()).toEqual([])
  })
})
