import { isLoopback, isPrivate } from '@libp2p/utils'
import { CODE_P2P, multiaddr } from '@multiformats/multiaddr'
import { overriding } from '../runtime/overriding.js'
import type { PeerId } from '@libp2p/interface'
import type { AddressManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface ObservedAddressesInit {
  /** Distinct peers that must have seen an address before it is a candidate (default 2). */
  minObservers?: number
  /** Addresses remembered at once; the least seen, then the oldest, is forgotten first (default 16). */
  maxAddresses?: number
  /** Candidates handed out at most, the most recently seen first (default 4). */
  maxCandidates?: number
}

interface Seen {
  ma: Multiaddr
  /** Peer id -> when it last reported the address. */
  observers: Map<string, number>
  last: number
}

/** The address without a trailing `/p2p/<peer id>` (a relayed address keeps its relay's). */
function withoutPeerId (ma: Multiaddr): Multiaddr {
  const parts = ma.getComponents()
  if (parts.at(-1)?.code !== CODE_P2P) return ma
  return multiaddr(parts.slice(0, -1))
}

/** At most this many observers are remembered per address: enough to pass any sensible threshold. */
const MAX_OBSERVERS = 8

/**
 * The node's own public TCP addresses as its peers observe them (identify's
 * `observedAddr`): behind a NAT, the NAT's address and the port it mapped for the node.
 * An address is a hole-punching candidate once `minObservers` distinct peers reported
 * it, so one peer cannot make the node hand out an address of its choosing. Bounded:
 * `maxAddresses` addresses, each with a few observers.
 */
export class ObservedAddresses {
  private readonly seen = new Map<string, Seen>()
  private readonly minObservers: number
  private readonly maxAddresses: number
  private readonly maxCandidates: number

  constructor (init: ObservedAddressesInit = {}) {
    this.minObservers = Math.max(1, init.minObservers ?? 2)
    this.maxAddresses = Math.max(1, init.maxAddresses ?? 16)
    this.maxCandidates = Math.max(1, init.maxCandidates ?? 4)
  }

  /** Records that `peer` saw this node at `ma`; ignored unless it is a public IP and TCP port (no relay, no DNS, nothing private). */
  observe (peer: string, ma: Multiaddr, now = Date.now()): void {
    let addr: Multiaddr
    try {
      // an address of the node itself: /ip4|ip6/<ip>/tcp/<port>, without a peer id
      addr = withoutPeerId(ma)
      const [ip, port, ...rest] = addr.getComponents()
      if ((ip?.name !== 'ip4' && ip?.name !== 'ip6') || port?.name !== 'tcp' || rest.length > 0) return
      if (isPrivate(addr) || isLoopback(addr)) return
    } catch {
      return
    }
    const key = addr.toString()
    let entry = this.seen.get(key)
    if (entry == null) {
      if (this.seen.size >= this.maxAddresses) this.forgetOne()
      entry = { ma: addr, observers: new Map(), last: now }
      this.seen.set(key, entry)
    }
    entry.last = now
    entry.observers.delete(peer)
    entry.observers.set(peer, now)
    if (entry.observers.size > MAX_OBSERVERS) {
      const oldest = entry.observers.keys().next().value
      if (oldest != null) entry.observers.delete(oldest)
    }
  }

  /** Addresses seen by at least `minObservers` distinct peers, the most recently seen first. */
  candidates (): Multiaddr[] {
    return [...this.seen.values()]
      .filter(s => s.observers.size >= this.minObservers)
      .sort((a, b) => b.last - a.last)
      .slice(0, this.maxCandidates)
      .map(s => s.ma)
  }

  /** Forgets the address with the fewest observers, the oldest among them. */
  private forgetOne (): void {
    let victim: [string, Seen] | undefined
    for (const e of this.seen) {
      if (victim == null || e[1].observers.size < victim[1].observers.size || (e[1].observers.size === victim[1].observers.size && e[1].last < victim[1].last)) victim = e
    }
    if (victim != null) this.seen.delete(victim[0])
  }
}

/**
 * The address manager as DCUtR sees it: the node's addresses and, after them, the
 * observed candidates (with the node's peer id), which DCUtR sends in its CONNECT
 * message. Nothing else reads this view: the candidates are never announced.
 */
export function holePunchAddressManager (addressManager: AddressManager, observed: ObservedAddresses, peerId: PeerId): AddressManager {
  const getAddresses = (): Multiaddr[] => {
    const addrs = addressManager.getAddresses()
    const have = new Set(addrs.map(a => withoutPeerId(a).toString()))
    const extra = observed.candidates().filter(ma => !have.has(ma.toString())).map(ma => ma.encapsulate(`/p2p/${peerId.toString()}`))
    return [...addrs, ...extra]
  }
  return overriding(addressManager, { getAddresses })
}
