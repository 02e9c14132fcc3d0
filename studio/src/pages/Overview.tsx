import { Badge, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core'
import { useCallback } from 'react'
import { api } from '../api'
import { ErrorNote, PageTitle, RefreshButton } from '../components/common'
import { useEvents } from '../events'
import { duration, shortId } from '../format'
import { useResource } from '../hooks'
import { useNode } from '../node-context'
import type { Counts, PeerInfo, Status } from '../types'
import type { ReactNode } from 'react'

function Stat ({ label, value, testId }: { label: string, value: ReactNode, testId?: string }): ReactNode {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase">{label}</Text>
      <Text size="lg" fw={600} data-testid={testId}>{value}</Text>
    </Card>
  )
}

function CountTable ({ title, rows }: { title: string, rows: Array<[string, number]> }): ReactNode {
  return (
    <Card withBorder>
      <Title order={4} mb="xs">{title}</Title>
      {rows.length === 0
        ? <Text size="sm" c="dimmed">None.</Text>
        : (
          <Table striped>
            <Table.Tbody>
              {rows.map(([k, v]) => <Table.Tr key={k}><Table.Td><Code>{k}</Code></Table.Td><Table.Td ta="right">{v}</Table.Td></Table.Tr>)}
            </Table.Tbody>
          </Table>
          )}
    </Card>
  )
}

const nonZero = (counts: Counts | undefined, prefix = ''): Array<[string, number]> =>
  Object.entries(counts?.byReason ?? {}).filter(([, n]) => n > 0).map(([k, n]) => [`${prefix}${k}`, n])

function Identity ({ status }: { status: Status }): ReactNode {
  return (
    <Card withBorder>
      <Title order={4} mb="xs">Node</Title>
      <Stack gap={4}>
        <Text size="sm">Peer id: <Code data-testid="node-peer-id">{status.peerId}</Code></Text>
        <Text size="sm">Version: <Code data-testid="node-version">{status.version}</Code></Text>
        <Text size="sm">Data dir: <Code>{status.dataDir}</Code></Text>
        <Group gap={4}><Text size="sm">Mods:</Text>{status.mods.map(m => <Badge key={m} variant="light">{m}</Badge>)}</Group>
        <Text size="sm">Listening on:</Text>
        {status.multiaddrs.map(a => <Code key={a} block>{a}</Code>)}
      </Stack>
    </Card>
  )
}

function PeerTable ({ peers }: { peers: PeerInfo[] }): ReactNode {
  return (
    <Card withBorder>
      <Title order={4} mb="xs">Connected peers</Title>
      <Table.ScrollContainer minWidth={520}>
        <Table striped highlightOnHover>
          <Table.Thead><Table.Tr><Table.Th>Peer</Table.Th><Table.Th>Direction</Table.Th><Table.Th>Address</Table.Th><Table.Th>For</Table.Th><Table.Th>Score</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {peers.map(p => (
              <Table.Tr key={p.peerId} data-testid="peer-row" data-peer={p.peerId}>
                <Table.Td title={p.peerId}><Code>{shortId(p.peerId)}</Code></Table.Td>
                <Table.Td>{p.direction}</Table.Td>
                <Table.Td><Text size="xs" ff="monospace">{p.addresses[0]}</Text></Table.Td>
                <Table.Td>{duration(p.connectedForMs)}</Table.Td>
                <Table.Td>{p.score == null ? '' : p.score.toFixed(1)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {peers.length === 0 && <Text size="sm" c="dimmed">No peer connected.</Text>}
    </Card>
  )
}

/** The node at a glance: identity, uptime, peers, resources, refusals and communities. */
export function OverviewPage (): ReactNode {
  const { status: shellStatus, communities, refresh } = useNode()
  const status = useResource(useCallback(async () => api.status(), []))
  const peers = useResource(useCallback(async () => api.peers(), []))
  // a presence change is when peers come and go
  useEvents({ type: 'agent.presence.' }, () => {
    status.reloadSoon()
    peers.reloadSoon()
  })
  const s = status.data ?? shellStatus
  const reload = (): void => {
    status.reload()
    peers.reload()
    refresh()
  }
  return (
    <>
      <PageTitle title="Overview"><RefreshButton onClick={reload} loading={status.loading} /></PageTitle>
      <ErrorNote error={status.error ?? peers.error} />
      {s != null && (
        <Stack>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
            <Stat label="Uptime" value={duration(s.uptimeMs)} testId="node-uptime" />
            <Stat label="Peers" value={s.peers} testId="node-peers" />
            <Stat label="Connections" value={s.connections} />
            <Stat label="Streams" value={s.streams.total} />
            <Stat label="RSS" value={`${s.memory.rssMiB} MiB`} />
            <Stat label="Heap used" value={`${s.memory.heapUsedMiB} / ${s.memory.heapTotalMiB} MiB`} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Identity status={s} />
            <Card withBorder>
              <Title order={4} mb="xs">Communities</Title>
              <Stack gap="xs">
                {communities.map(c => (
                  <Group key={c.name} gap="xs" data-testid="community-row">
                    <Text fw={600}>{c.name}</Text>
                    <Badge variant="light" color={c.policy === 'private' ? 'grape' : 'blue'}>{c.policy}</Badge>
                    {c.role != null && <Badge variant="outline">{c.role}</Badge>}
                    {c.members != null && <Text size="xs" c="dimmed">{c.members} members</Text>}
                    <Text size="xs" c="dimmed">{c.channels.map(ch => `#${ch.name} (${ch.messages})`).join(' ')}</Text>
                  </Group>
                ))}
                {communities.length === 0 && <Text size="sm" c="dimmed">None joined.</Text>}
              </Stack>
            </Card>
          </SimpleGrid>
          <PeerTable peers={peers.data ?? []} />
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <CountTable title="Streams by protocol" rows={Object.entries(s.streams.byProtocol)} />
            <CountTable title="Rejected envelopes" rows={nonZero(s.rejected)} />
            <CountTable title="Refusals (limits, API)" rows={[...nonZero(s.limits, 'limits: '), ...nonZero(s.api?.rejected, 'api: ')]} />
          </SimpleGrid>
        </Stack>
      )}
    </>
  )
}
