import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NAT_COMMUNITY, peerView, startNatCluster } from '../helpers/nat-cluster.js'
import { netnsUnavailable } from '../helpers/netns.js'
import { waitFor } from '../helpers/wait.js'
import type { NatCluster, NatNode } from '../helpers/nat-cluster.js'
import type { DiscoveredAgent } from '../../src/discovery/card.js'

const PREFIX = 'oanat'
const unavailable = await netnsUnavailable(PREFIX)
if (unavailable != null) console.log(`skipping the NAT tests: ${unavailable}`)

/**
 * Real node processes in network namespaces: two public nodes (the first offers a relay
 * and is the bootstrap peer), and five homes, each behind a NAT namespace doing
 * MASQUERADE: home1, home4 and home5 behind home routers (endpoint-independent mapping,
 * unsolicited packets dropped), home2 behind a symmetric NAT (a random port for every
 * connection), home3 with its port mapped (as UPnP would) and announced. home4 and home5
 * join through both public nodes, which so observe the address each one's NAT maps it to.
 */
describe.skipIf(unavailable != null)('nodes behind NAT, in network namespaces', () => {
  let cluster: NatCluster | undefined
  let relay: NatNode
  let home1: NatNode
  let home2: NatNode
  let home3: NatNode
  let home4: NatNode
  let home5: NatNode

  const net = (): NatCluster => {
    if (cluster == null) throw new Error('the cluster did not start')
    return cluster
  }

  /** Waits until `asker` finds `target`'s agent by its capability (through the DHT and a card fetched from the target). */
  const findsAgent = async (asker: NatNode, target: NatNode): Promise<void> => {
    const agents = await waitFor(`${asker.name} finds ${target.name}'s agent`, async () => {
      const { agents } = await asker.json<{ agents: DiscoveredAgent[] }>(['agents', '--community', NAT_COMMUNITY, '--capability', `${target.name}_skill`])
      return agents.length > 0 ? agents : undefined
    }, 45_000, 500)
    expect(agents.map(a => [a.name, a.peerId])).toEqual([[`${target.name}_expert`, target.peerId]])
  }

  beforeAll(async () => {
    cluster = await startNatCluster(PREFIX, 2, [
      // home1 dials nobody by itself, so its connection to home3 can only become direct by an upgrade
      { nat: 'masquerade', network: ['minPeers: 0'], extra: 'discovery:\n  communityPeers: 0\n' },
      { nat: 'symmetric' },
      { nat: 'mapped' },
      // home4 and home5 dial nobody by themselves either: their connection is the relayed one of a request, then its upgrade
      ...[0, 1].map(() => ({ nat: 'masquerade' as const, bootstrapAll: true, network: ['minPeers: 0'], extra: 'discovery:\n  communityPeers: 0\n' }))
    ])
    relay = cluster.publics[0] as NatNode
    ;[home1, home2, home3, home4, home5] = cluster.homes as [NatNode, NatNode, NatNode, NatNode, NatNode]
  }, 180_000)

  afterAll(async () => {
    await cluster?.stop()
  }, 60_000)

  it('joins the home nodes through the public node, each reserving a slot on its relay and announcing only relayed addresses', async () => {
    for (const home of [home1, home2, home4, home5]) {
      const status = await waitFor(`${home.name} holds a reservation on the relay`, async () => {
        const s = await home.status()
        return s.reach.relayReservations.held.includes(relay.peerId) ? s : undefined
      }, 30_000, 250)
      expect(status.reach.reachability).toBe('private')
      // reached only through the relay, it queries the DHT without serving it
      await waitFor(`${home.name}'s DHT in client mode`, async () => (await home.status()).reach.dhtMode === 'client', 15_000, 250)
      // nothing of the home network is announced: only the address through the relay
      expect(status.multiaddrs.length).toBeGreaterThan(0)
      for (const a of status.multiaddrs) expect(a).toContain(`/p2p/${relay.peerId}/p2p-circuit/p2p/${home.peerId}`)
    }
    const relayStatus = await waitFor('the relay serves the four reservations', async () => {
      const s = await relay.status()
      return s.reach.relayReservations.served >= 4 ? s : undefined
    }, 30_000, 250)
    expect(relayStatus.reach).toMatchObject({ reachability: 'public', relayServing: true, dhtMode: 'server' })
    // home3's mapped port is announced: it needs no relay
    expect((await home3.status()).multiaddrs).toEqual([`/ip4/${net().topology.homes[2]?.publicIp ?? ''}/tcp/7700/p2p/${home3.peerId}`])
  })

  it('finds each other\'s agents by capability', async () => {
    for (const [asker, target] of [[home2, home1], [home1, home2], [home3, home1]] as const) await findsAgent(asker, target)
  }, 120_000)

  it('exchanges direct requests through the relay with a node behind a symmetric NAT, which cannot hole punch', async () => {
    // two public peers observed home2 at two ports of its NAT: it has no address to hole punch with
    await waitFor('home2 connected directly to both public nodes', async () => {
      const peers = await home2.peers()
      return net().publics.every(p => peers.some(v => v.peerId === p.peerId && !v.relayed))
    }, 30_000, 250)
    expect((await home2.status()).reach.observedAddrs).toEqual([])
    for (const [asker, target] of [[home2, home1], [home1, home2]] as const) {
      const reply = await asker.json<{ payload: { text?: string } }>(['ask', `${NAT_COMMUNITY}/${target.name}_expert`, `what is ${target.name}?`, '--wait', '30', '--timeout', '30'], 90_000)
      expect(typeof reply.payload.text).toBe('string')
      const view = await peerView(asker, target.peerId)
      expect(view?.relayed).toBe(true)
      expect(view?.addresses.every(a => a.includes(`/p2p/${relay.peerId}/p2p-circuit`))).toBe(true)
    }
  }, 120_000)

  it('upgrades a relayed connection to a direct one where the NAT allows (DCUtR)', async () => {
    const reply = await home3.json<{ payload: { text?: string } }>(['ask', `${NAT_COMMUNITY}/home1_expert`, 'what is home1?', '--wait', '30', '--timeout', '30'], 90_000)
    expect(typeof reply.payload.text).toBe('string')
    // home1 dials nobody by itself: the direct connection is the upgrade of home3's relayed one
    const view = await waitFor('a direct connection between home1 and home3', async () => {
      const v = await peerView(home1, home3.peerId)
      return v?.relayed === false ? v : undefined
    }, 30_000, 250)
    expect(view.addresses.some(a => a.startsWith(`/ip4/${net().topology.homes[2]?.publicIp ?? ''}/tcp/7700`))).toBe(true)
  }, 120_000)

  it('hole punches a relayed connection between two nodes behind home routers (DCUtR with observed addresses)', async () => {
    const natIp = (home: NatNode): string => net().topology.homes[net().homes.indexOf(home)]?.publicIp ?? ''
    for (const home of [home4, home5]) {
      // its dials to the public nodes left from its listening port: both saw the NAT's address with that port
      const status = await waitFor(`${home.name} knows the address its NAT maps it to`, async () => {
        const s = await home.status()
        return s.reach.observedAddrs.includes(`/ip4/${natIp(home)}/tcp/7700`) ? s : undefined
      }, 30_000, 250)
      // used for hole punching only: what it announces is still only the relayed address
      for (const a of status.multiaddrs) expect(a).toContain('/p2p-circuit')
    }
    // the community's catch-up may have connected them through the relay (and so hole punched) already
    await findsAgent(home5, home4)
    const reply = await home5.json<{ payload: { text?: string } }>(['ask', `${NAT_COMMUNITY}/home4_expert`, 'what is home4?', '--wait', '30', '--timeout', '30'], 90_000)
    expect(typeof reply.payload.text).toBe('string')
    // neither NAT lets in what its node did not ask for: the direct connection is a hole punch
    const view = await waitFor('a direct connection between home4 and home5', async () => {
      const v = await peerView(home4, home5.peerId)
      return v?.relayed === false ? v : undefined
    }, 30_000, 250)
    expect(view.addresses.some(a => a.startsWith(`/ip4/${natIp(home5)}/tcp/7700`))).toBe(true)
    const back = await peerView(home5, home4.peerId)
    expect(back?.relayed).toBe(false)
    expect(back?.addresses.some(a => a.startsWith(`/ip4/${natIp(home4)}/tcp/7700`))).toBe(true)
  }, 120_000)

  it('keeps a connection with the symmetric NAT relayed, though the other end could hole punch', async () => {
    await findsAgent(home2, home4)
    const reply = await home2.json<{ payload: { text?: string } }>(['ask', `${NAT_COMMUNITY}/home4_expert`, 'what is home4?', '--wait', '30', '--timeout', '30'], 90_000)
    expect(typeof reply.payload.text).toBe('string')
    expect((await home4.status()).reach.observedAddrs).not.toEqual([])
    const view = await peerView(home2, home4.peerId)
    expect(view?.relayed).toBe(true)
  }, 120_000)

  it('delivers a channel post and a memory record to every node', async () => {
    const text = `hello from behind a NAT ${Date.now()}`
    const posted = await home2.json<{ id: string }>(['post', `${NAT_COMMUNITY}/general`, text])
    const fact = `the relay carried record ${Date.now()}`
    const record = await home1.json<{ id: string }>(['memory', 'add', NAT_COMMUNITY, fact])
    for (const node of net().all) {
      await waitFor(`${node.name} has the post`, async () => {
        const r = await node.cli(['history', `${NAT_COMMUNITY}/general`, '--json'])
        return r.stdout.includes(posted.id)
      }, 45_000, 500)
      await waitFor(`${node.name} has the memory record`, async () => {
        const r = await node.cli(['memory', 'search', NAT_COMMUNITY, fact, '--mode', 'text', '--json'])
        return r.stdout.includes(record.id)
      }, 60_000, 500)
    }
  }, 240_000)

  it('carries a private community\'s post between two nodes behind NATs through the relay, which keeps nothing of it', async () => {
    const created = await home1.cli(['community', 'create', 'vault', '--private'])
    expect(created.code, created.stderr).toBe(0)
    const invite = await home1.cli(['community', 'invite', 'vault', '--for', home2.peerId, '--role', 'member'])
    expect(invite.code, invite.stderr).toBe(0)
    const joined = await home2.cli(['community', 'join', invite.stdout.trim()])
    expect(joined.code, joined.stderr).toBe(0)
    const secret = `the launch code is ${Date.now()}`
    const posted = await home2.json<{ id: string }>(['post', 'vault/general', secret])
    await waitFor('home1 reads the post', async () => (await home1.cli(['history', 'vault/general', '--json'])).stdout.includes(posted.id), 45_000, 500)
    expect((await home1.cli(['history', 'vault/general'])).stdout).toContain(secret)
    // both are behind NATs: their only connection goes through the relay
    expect((await peerView(home1, home2.peerId))?.relayed).toBe(true)
    // nothing the relay wrote holds the text
    for (const file of await readdir(relay.dataDir, { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue
      expect((await readFile(join(file.parentPath, file.name))).includes(secret), `${file.name} on the relay`).toBe(false)
    }
  }, 120_000)
})
