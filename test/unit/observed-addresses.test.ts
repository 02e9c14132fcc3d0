import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { holePunchAddressManager, ObservedAddresses } from '../../src/node/observed-addresses.js'
import type { AddressManager } from '@libp2p/interface-internal'

const ME = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const RELAY = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const NAT = '/ip4/11.77.0.14/tcp/7700'

describe('observed addresses (hole-punching candidates)', () => {
  it('makes an address a candidate once two distinct peers observed it', () => {
    const seen = new ObservedAddresses()
    seen.observe('peer-a', multiaddr(NAT))
    seen.observe('peer-a', multiaddr(NAT))
    expect(seen.candidates()).toEqual([])
    seen.observe('peer-b', multiaddr(`${NAT}/p2p/${ME}`))
    expect(seen.candidates().map(String)).toEqual([NAT])
  })

  it('ignores private, loopback, relayed, DNS and non-TCP addresses, and does not throw on odd ones', () => {
    const seen = new ObservedAddresses({ minObservers: 1 })
    for (const a of ['/ip4/192.168.1.2/tcp/7700', '/ip4/127.0.0.1/tcp/7700', '/ip6/::1/tcp/7700', `/ip4/11.77.0.2/tcp/7700/p2p/${RELAY}/p2p-circuit`,
      '/dns4/example.com/tcp/7700', '/ip4/11.77.0.14/udp/7700/quic-v1', '/ip4/11.77.0.14/tcp/7701/ws', '/ip4/11.77.0.14']) {
      seen.observe('peer-a', multiaddr(a))
    }
    expect(seen.candidates()).toEqual([])
    seen.observe('peer-a', multiaddr('/ip6/2a01:4f8:c0c::1/tcp/7700'))
    expect(seen.candidates().map(String)).toEqual(['/ip6/2a01:4f8:c0c::1/tcp/7700'])
  })

  it('stays bounded: one peer reporting many addresses evicts them, not an address two peers agree on', () => {
    const seen = new ObservedAddresses({ maxAddresses: 4 })
    seen.observe('peer-a', multiaddr(NAT), 1)
    seen.observe('peer-b', multiaddr(NAT), 2)
    for (let port = 1; port <= 100; port++) seen.observe('liar', multiaddr(`/ip4/11.77.0.99/tcp/${port}`), 10 + port)
    expect(seen.candidates().map(String)).toEqual([NAT])
  })

  it('hands out the most recently seen candidates first, at most maxCandidates', () => {
    const seen = new ObservedAddresses({ maxCandidates: 2 })
    for (const [i, port] of [7700, 7701, 7702].entries()) {
      seen.observe('peer-a', multiaddr(`/ip4/11.77.0.14/tcp/${port}`), 10 * i)
      seen.observe('peer-b', multiaddr(`/ip4/11.77.0.14/tcp/${port}`), 10 * i + 1)
    }
    expect(seen.candidates().map(String)).toEqual(['/ip4/11.77.0.14/tcp/7702', '/ip4/11.77.0.14/tcp/7701'])
  })

  it('shows DCUtR the node\'s addresses and then the candidates with its peer id, once each', () => {
    const seen = new ObservedAddresses({ minObservers: 1 })
    const relayed = multiaddr(`/ip4/11.77.0.2/tcp/7700/p2p/${RELAY}/p2p-circuit/p2p/${ME}`)
    const announced = multiaddr(`/ip4/11.77.0.13/tcp/7700/p2p/${ME}`)
    const manager = { getAddresses: () => [relayed, announced], getListenAddrs: () => [multiaddr('/ip4/0.0.0.0/tcp/7700')] } as unknown as AddressManager
    const view = holePunchAddressManager(manager, seen, peerIdFromString(ME))
    expect(view.getAddresses().map(String)).toEqual([relayed.toString(), announced.toString()])
    seen.observe('peer-a', multiaddr(NAT))
    seen.observe('peer-a', multiaddr('/ip4/11.77.0.13/tcp/7700'))
    expect(view.getAddresses().map(String)).toEqual([relayed.toString(), announced.toString(), `${NAT}/p2p/${ME}`])
    // everything else is the node's own address manager
    expect(view.getListenAddrs().map(String)).toEqual(['/ip4/0.0.0.0/tcp/7700'])
    expect(manager.getAddresses()).toHaveLength(2)
  })
})
