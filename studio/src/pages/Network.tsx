import { Badge, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core'
import { useCallback, useMemo } from 'react'
import { api } from '../api'
import { ErrorNote, PageTitle, RefreshButton } from '../components/common'
import { Graph } from '../components/Graph'
import { useEvents } from '../events'
import { duration, shortId } from '../format'
import { useResource } from '../hooks'
import type { Network } from '../types'
import type { ElementDefinition, StylesheetJson } from 'cytoscape'
import type { ReactNode } from 'react'

const STYLES: StylesheetJson = [
  { selector: 'node.self', style: { 'background-color': '#f59f00', width: 30, height: 30 } },
  { selector: 'node.community', style: { shape: 'round-rectangle', 'background-color': '#7950f2', width: 26, height: 18 } },
  { selector: 'node.offline', style: { 'background-color': '#868e96' } },
  { selector: 'edge.membership', style: { 'line-style': 'dashed', 'line-color': '#7950f2', width: 1 } },
  { selector: 'edge.inbound', style: { 'target-arrow-shape': 'triangle', 'target-arrow-color': '#4dabf7', 'line-color': '#4dabf7' } },
  { selector: 'edge.outbound', style: { 'target-arrow-shape': 'triangle', 'target-arrow-color': '#51cf66', 'line-color': '#51cf66' } },
  { selector: 'edge.relayed', style: { 'line-style': 'dotted' } }
]

/** This node, its peers and the communities they share: connection edges carry latency and direction. */
export function networkElements (net: Network): ElementDefinition[] {
  const self = net.peerId
  const connected = new Set(net.peers.map(p => p.peerId))
  const nodes = new Map<string, ElementDefinition>()
  nodes.set(self, { data: { id: self, label: `this node ${shortId(self)}` }, classes: 'self' })
  const edges: ElementDefinition[] = []
  for (const p of net.peers) {
    nodes.set(p.peerId, { data: { id: p.peerId, label: shortId(p.peerId) } })
    // an edge points the way the connection was dialled
    const [source, target] = p.direction === 'outbound' ? [self, p.peerId] : [p.peerId, self]
    const latency = p.latencyMs == null ? '?' : `${Math.round(p.latencyMs)} ms`
    edges.push({ data: { id: `conn:${p.peerId}`, source, target, label: `${latency} · ${p.direction === 'outbound' ? 'out' : 'in'}${p.relayed ? ' · relay' : ''}` }, classes: `${p.direction}${p.relayed ? ' relayed' : ''}` })
  }
  for (const c of net.communities) {
    const id = `community:${c.name}`
    nodes.set(id, { data: { id, label: c.name }, classes: 'community' })
    edges.push({ data: { id: `${id}:self`, source: id, target: self, label: '' }, classes: 'membership' })
    for (const p of c.peers) {
      if (!nodes.has(p.peerId)) nodes.set(p.peerId, { data: { id: p.peerId, label: shortId(p.peerId) }, classes: connected.has(p.peerId) ? '' : 'offline' })
      edges.push({ data: { id: `${id}:${p.peerId}`, source: id, target: p.peerId, label: '' }, classes: 'membership' })
    }
  }
  return [...nodes.values(), ...edges]
}

function Facts ({ net }: { net: Network }): ReactNode {
  const reach = { public: 'green', private: 'orange', unknown: 'gray' }[net.reachability]
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }}>
      <Card withBorder padding="sm">
        <Text size="xs" c="dimmed" tt="uppercase">Reachability</Text>
        <Badge color={reach} size="lg" data-testid="network-reachability">{net.reachability}</Badge>
        <Text size="xs" c="dimmed" data-testid="network-relays">
          relay reservations: {net.relayReservations.held.length} held, {net.relayReservations.served} served
        </Text>
      </Card>
      <Card withBorder padding="sm">
        <Text size="xs" c="dimmed" tt="uppercase">DHT routing table</Text>
        <Text size="lg" fw={600} data-testid="network-dht-size">{net.dht.routingTableSize ?? 'unknown'} peers</Text>
        <Text size="xs" c="dimmed">mode: {net.dht.mode}</Text>
      </Card>
      <Card withBorder padding="sm">
        <Text size="xs" c="dimmed" tt="uppercase">Connected peers</Text>
        <Text size="lg" fw={600}>{net.peers.length}</Text>
      </Card>
    </SimpleGrid>
  )
}

function PeerTable ({ net }: { net: Network }): ReactNode {
  const communitiesOf = (peer: string): string[] => net.communities.filter(c => c.peers.some(p => p.peerId === peer)).map(c => c.name)
  return (
    <Card withBorder>
      <Title order={4} mb="xs">Connections</Title>
      <Table.ScrollContainer minWidth={640}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr><Table.Th>Peer</Table.Th><Table.Th>Address</Table.Th><Table.Th>Direction</Table.Th><Table.Th>Latency</Table.Th><Table.Th>For</Table.Th><Table.Th>Communities</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {net.peers.map(p => (
              <Table.Tr key={p.peerId} data-testid="peer-row" data-peer={p.peerId}>
                <Table.Td title={p.peerId}><Code>{shortId(p.peerId)}</Code></Table.Td>
                <Table.Td><Text size="xs" ff="monospace">{p.address}</Text>{p.relayed && <Badge size="xs" color="orange" ml={4}>relayed</Badge>}</Table.Td>
                <Table.Td>{p.direction}</Table.Td>
                <Table.Td>{p.latencyMs == null ? 'no answer' : `${p.latencyMs.toFixed(1)} ms`}</Table.Td>
                <Table.Td>{duration(p.connectedForMs)}</Table.Td>
                <Table.Td>{communitiesOf(p.peerId).join(', ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {net.peers.length === 0 && <Text size="sm" c="dimmed">No peer connected.</Text>}
    </Card>
  )
}

function Addresses ({ net }: { net: Network }): ReactNode {
  return (
    <Card withBorder>
      <Title order={4} mb="xs">This node&apos;s addresses</Title>
      <Stack gap={4}>
        {net.addresses.map(a => (
          <Group key={a.multiaddr} gap="xs" wrap="nowrap">
            <Code>{a.multiaddr}</Code>
            {a.verified && <Badge size="xs" color="green">verified</Badge>}
            {a.type != null && <Badge size="xs" variant="outline">{a.type}</Badge>}
          </Group>
        ))}
      </Stack>
    </Card>
  )
}

export function NetworkPage (): ReactNode {
  const net = useResource(useCallback(async () => api.network(), []))
  useEvents({ type: 'agent.presence.' }, () => { net.reloadSoon() })
  const elements = useMemo(() => net.data == null ? [] : networkElements(net.data), [net.data])
  return (
    <>
      <PageTitle title="Network"><RefreshButton onClick={net.reload} loading={net.loading} /></PageTitle>
      <ErrorNote error={net.error} />
      {net.data != null && (
        <Stack>
          <Facts net={net.data} />
          <Graph elements={elements} styles={STYLES} label="This node, its peers and communities" testId="network-graph" />
          <Text size="xs" c="dimmed">Orange: this node. Purple boxes: communities (dashed: known peers in it). Arrows point the way a connection was dialled; labels show latency and direction.</Text>
          <PeerTable net={net.data} />
          <Addresses net={net.data} />
        </Stack>
      )}
    </>
  )
}
