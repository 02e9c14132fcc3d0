import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/config/schema.js'
import { AddressHygiene, isRelayedAddress, relaysOf, wantsReservations } from '../../src/node/reach.js'

const ME = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const RELAY = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const addrs = (...list: string[]) => list.map(a => multiaddr(a))

describe('address hygiene (network.announcePrivate)', () => {
  const local = addrs(`/ip4/127.0.0.1/tcp/7700/p2p/${ME}`, `/ip4/192.168.1.5/tcp/7700/p2p/${ME}`)
  const relayed = addrs(`/ip4/11.77.0.2/tcp/7700/p2p/${RELAY}/p2p-circuit/p2p/${ME}`)
  const privateRelay = addrs(`/ip4/10.0.0.2/tcp/7700/p2p/${RELAY}/p2p-circuit/p2p/${ME}`)
  const publicDirect = addrs(`/ip4/11.77.0.9/tcp/7700/p2p/${ME}`)

  it('auto keeps private addresses while the node has nothing usable from anywhere (a local cluster)', () => {
    const h = new AddressHygiene('auto')
    expect(h.announceFilter([...local, ...privateRelay])).toHaveLength(3)
    expect(h.droppingPrivate).toBe(false)
    expect(h.peerInfoMapper({ id: peerIdFromString(RELAY), multiaddrs: local }).multiaddrs).toHaveLength(2)
  })

  it('auto drops them once the node has a public address, direct or through a public relay, and so does the DHT', () => {
    for (const usable of [relayed, publicDirect]) {
      const h = new AddressHygiene('auto')
      expect(h.announceFilter([...local, ...usable]).map(String)).toEqual(usable.map(String))
      expect(h.droppingPrivate).toBe(true)
      expect(h.peerInfoMapper({ id: peerIdFromString(RELAY), multiaddrs: [...local, ...publicDirect] }).multiaddrs.map(String)).toEqual(publicDirect.map(String))
    }
  })

  it('true keeps everything, false drops private ones always', () => {
    expect(new AddressHygiene(true).announceFilter([...local, ...publicDirect])).toHaveLength(3)
    expect(new AddressHygiene(false).announceFilter(local)).toEqual([])
  })

  it('names the relays of relayed addresses', () => {
    expect(isRelayedAddress(relayed[0] ?? '')).toBe(true)
    expect(relaysOf([...relayed, ...privateRelay, ...local])).toEqual([RELAY])
  })

  it('reserves relay slots on auto only off loopback, without a public address, and not while serving', () => {
    const network = DEFAULTS.network
    expect(wantsReservations({ ...network, listen: ['/ip4/127.0.0.1/tcp/0'] })).toBe(false)
    expect(wantsReservations({ ...network, relay: { ...network.relay, serve: true } })).toBe(false)
    expect(wantsReservations({ ...network, announce: ['/ip4/11.77.0.9/tcp/7700'] })).toBe(false)
    expect(wantsReservations({ ...network, listen: ['/ip4/127.0.0.1/tcp/0'], relay: { ...network.relay, reserve: true } })).toBe(true)
  })
})
