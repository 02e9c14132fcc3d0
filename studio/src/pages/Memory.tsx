import { Badge, Button, Card, Code, Group, Modal, NumberInput, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useCallback, useMemo, useState } from 'react'
import { api } from '../api'
import { ErrorNote, NoCommunity, PageTitle, RefreshButton } from '../components/common'
import { useEvents } from '../events'
import { clock, shortAgent, shortId } from '../format'
import { useAction, useResource } from '../hooks'
import { useNode } from '../node-context'
import type { MemoryHit, MemoryRecord, ReplicaState, SearchMode } from '../types'
import type { SyntheticEvent, ReactNode } from 'react'

function provenance (metadata: Record<string, unknown>): string {
  const parts: string[] = []
  if (typeof metadata.channel === 'string') parts.push(`#${metadata.channel}`)
  if (typeof metadata.type === 'string') parts.push(metadata.type)
  if (typeof metadata.messageId === 'string') parts.push(`message ${metadata.messageId.slice(0, 10)}`)
  if (typeof metadata.requestId === 'string') parts.push(`request ${metadata.requestId.slice(0, 10)}`)
  if (typeof metadata.from === 'string') parts.push(`from ${shortAgent(metadata.from)}`)
  if (typeof metadata.source === 'string') parts.push(`source ${metadata.source}`)
  return parts.join(' · ')
}

function Stats ({ community, self }: { community: string, self: string | undefined }): ReactNode {
  const stats = useResource(useCallback(async () => api.memoryStats(community), [community]))
  const overview = useResource(useCallback(async () => api.memoryOverview(), []))
  useEvents({ community, type: 'channel.message.' }, () => { stats.reloadSoon(); overview.reloadSoon() })
  const replication: Record<string, ReplicaState> = overview.data?.communities[community]?.replication ?? {}
  const s = stats.data
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={4}>Stats {s != null && <Text span c="dimmed" size="sm">({s.records} records)</Text>}</Title>
        <RefreshButton onClick={() => { stats.reload(); overview.reload() }} loading={stats.loading} label="Refresh stats" />
      </Group>
      <ErrorNote error={stats.error} />
      {s != null && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Table striped data-testid="memory-by-kind">
            <Table.Thead><Table.Tr><Table.Th>Kind</Table.Th><Table.Th ta="right">Records</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{Object.entries(s.byKind).map(([k, n]) => <Table.Tr key={k}><Table.Td>{k}</Table.Td><Table.Td ta="right">{n}</Table.Td></Table.Tr>)}</Table.Tbody>
          </Table>
          <Table.ScrollContainer minWidth={420}>
            <Table striped data-testid="memory-by-origin">
              <Table.Thead><Table.Tr><Table.Th>Origin</Table.Th><Table.Th ta="right">Records</Table.Th><Table.Th ta="right">Seq</Table.Th><Table.Th ta="right">Known</Table.Th><Table.Th ta="right">Lag</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {Object.entries(s.byOrigin).map(([origin, o]) => (
                  <Table.Tr key={origin}>
                    <Table.Td title={origin}><Code>{shortId(origin)}</Code>{origin === self && <Badge size="xs" ml={4}>this node</Badge>}</Table.Td>
                    <Table.Td ta="right">{o.records}</Table.Td>
                    <Table.Td ta="right">{o.highestSeq}</Table.Td>
                    <Table.Td ta="right">{replication[origin]?.knownSeq ?? ''}</Table.Td>
                    <Table.Td ta="right">{replication[origin] == null ? '' : <Badge color={replication[origin].lag > 0 ? 'yellow' : 'green'} variant="light">{replication[origin].lag}</Badge>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </SimpleGrid>
      )}
    </Card>
  )
}

function RecordDetail ({ community, hit, onClose, onDeleted, own }: { community: string, hit: MemoryHit, onClose: () => void, onDeleted: (id: string) => void, own: boolean }): ReactNode {
  const record = useResource(useCallback(async () => api.record(community, hit.id, hit.origin), [community, hit]))
  const forget = useAction(useCallback(async () => api.forget(community, hit.id, hit.origin), [community, hit]))
  const r: MemoryRecord | undefined = record.data?.[0]
  return (
    <Modal opened onClose={onClose} title={`Record ${hit.id}`} size="lg">
      <ErrorNote error={record.error ?? forget.error} />
      {r != null && (
        <Stack gap="xs" data-testid="memory-record">
          <Group gap="xs"><Badge>{r.kind}</Badge><Text size="sm">by {shortAgent(r.agent)}</Text></Group>
          <Text size="sm">Origin <Code>{r.origin}</Code>, seq {r.seq}, {clock(r.createdAt)}</Text>
          <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="memory-record-text">{r.text}</Text>
          <Code block>{JSON.stringify(r.metadata, null, 2)}</Code>
          {own && (
            <Group>
              <Button color="red" variant="light" loading={forget.busy} data-testid="memory-delete"
                onClick={() => { void forget.run().then((d) => { if (d != null) onDeleted(hit.id) }) }}>Delete this record</Button>
            </Group>
          )}
        </Stack>
      )}
    </Modal>
  )
}

function Hits ({ hits, self, onOpen }: { hits: MemoryHit[], self: string | undefined, onOpen: (h: MemoryHit) => void }): ReactNode {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover>
        <Table.Thead><Table.Tr><Table.Th>Score</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Text</Table.Th><Table.Th>Agent</Table.Th><Table.Th>Origin</Table.Th><Table.Th>Provenance</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {hits.map(h => (
            <Table.Tr key={`${h.origin}/${h.id}`} data-testid="memory-hit" data-record={h.id}>
              <Table.Td title={h.scoreKind}>{h.score.toFixed(4)}{h.similarity != null && <Text size="xs" c="dimmed">cos {h.similarity.toFixed(3)}</Text>}</Table.Td>
              <Table.Td><Badge variant="light">{h.kind}</Badge></Table.Td>
              <Table.Td><Text size="sm" lineClamp={3}>{h.text}</Text></Table.Td>
              <Table.Td><Text size="xs">{shortAgent(h.agent)}</Text></Table.Td>
              <Table.Td title={h.origin}><Code>{shortId(h.origin)}</Code>{h.origin === self && <Badge size="xs" ml={4}>own</Badge>}</Table.Td>
              <Table.Td><Text size="xs">{provenance(h.metadata)}</Text></Table.Td>
              <Table.Td><Button size="compact-xs" variant="light" onClick={() => { onOpen(h) }} data-testid="memory-open">Open</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

/** Search the community's memory, read and delete records, see counts and replication. */
export function MemoryPage (): ReactNode {
  const { community, status } = useNode()
  const [q, setQ] = useState('')
  const [mode, setMode] = useState<SearchMode>('hybrid')
  const [k, setK] = useState<number | string>(10)
  const [hits, setHits] = useState<MemoryHit[] | undefined>(undefined)
  const [open, setOpen] = useState<MemoryHit | undefined>(undefined)
  const search = useAction(useCallback(async (c: string, text: string, m: SearchMode, n: number) => api.search(c, text, m, n), []))
  const self = status?.peerId
  const shown = useMemo(() => hits ?? [], [hits])
  if (community == null) return <NoCommunity />
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    void search.run(community, q, mode, typeof k === 'number' ? k : 10).then((h) => { if (h != null) setHits(h) })
  }
  return (
    <>
      <PageTitle title="Memory" />
      <Stack>
        <Card withBorder>
          <form onSubmit={submit} data-testid="memory-search-form">
            <Group align="end" wrap="wrap">
              <TextInput label="Search" placeholder="How should I choose HNSW M?" value={q} onChange={(e) => { setQ(e.currentTarget.value) }} style={{ flex: 1, minWidth: 220 }} data-testid="memory-search-input" />
              <Stack gap={2}>
                <Text size="sm" fw={500} id="memory-mode-label">Mode</Text>
                <SegmentedControl aria-labelledby="memory-mode-label" value={mode} onChange={(v) => { setMode(v) }} data={['hybrid', 'vector', 'text']} />
              </Stack>
              <NumberInput label="k" value={k} onChange={setK} min={1} max={100} w={90} />
              <Button type="submit" loading={search.busy} data-testid="memory-search-submit">Search</Button>
            </Group>
          </form>
          <ErrorNote error={search.error} />
          {hits != null && (shown.length === 0 ? <Text c="dimmed" mt="sm">No hit.</Text> : <Hits hits={shown} self={self} onOpen={setOpen} />)}
        </Card>
        <Stats community={community} self={self} />
      </Stack>
      {open != null && (
        <RecordDetail community={community} hit={open} own={open.origin === self} onClose={() => { setOpen(undefined) }}
          onDeleted={(id) => { setOpen(undefined); setHits(h => h?.filter(x => x.id !== id)) }} />
      )}
    </>
  )
}
