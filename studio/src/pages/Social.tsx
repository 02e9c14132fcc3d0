import { Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useCallback, useMemo, useState } from 'react'
import { api } from '../api'
import { AuthorSelect, ErrorNote, NoCommunity, PageTitle, RefreshButton } from '../components/common'
import { Graph } from '../components/Graph'
import { useEvents } from '../events'
import { shortAgent } from '../format'
import { useAction, useResource } from '../hooks'
import { useNode } from '../node-context'
import type { SocialGraph, TrustScore } from '../types'
import type { ElementDefinition, StylesheetJson } from 'cytoscape'
import type { SyntheticEvent, ReactNode } from 'react'

const STYLES: StylesheetJson = [
  { selector: 'node', style: { width: 'mapData(trust, 0, 1, 16, 46)', height: 'mapData(trust, 0, 1, 16, 46)' } },
  { selector: 'edge', style: { 'target-arrow-shape': 'triangle', width: 'mapData(count, 1, 10, 1, 6)' } },
  { selector: 'edge.endorsed', style: { 'line-color': '#51cf66', 'target-arrow-color': '#51cf66' } },
  { selector: 'edge.voted_up', style: { 'line-color': '#4dabf7', 'target-arrow-color': '#4dabf7' } },
  { selector: 'edge.voted_down', style: { 'line-color': '#fa5252', 'target-arrow-color': '#fa5252' } }
]

/** Agents sized by trust; an edge per relation (asked, answered, endorsed, voted...), labelled with its kind and count. */
export function socialElements (graph: SocialGraph, trust: TrustScore[]): ElementDefinition[] {
  const relative = new Map(trust.map(t => [t.agent, t.relative]))
  return [
    ...graph.agents.map(a => ({ data: { id: a, label: shortAgent(a), trust: relative.get(a) ?? 0 } })),
    ...graph.edges.map((e, i) => ({
      data: { id: `e${i}`, source: e.from, target: e.to, count: e.count, label: `${e.kind}${e.capability == null ? '' : ` ${e.capability}`}${e.count > 1 ? ` ×${e.count}` : ''}` },
      classes: e.kind
    }))
  ]
}

function Endorse ({ community, authors, onDone }: { community: string, authors: string[], onDone: () => void }): ReactNode {
  const [agent, setAgent] = useState('')
  const [capability, setCapability] = useState('')
  const [from, setFrom] = useState('user')
  const endorse = useAction(useCallback(async () => api.endorse(community, agent.trim(), capability.trim(), from === 'user' ? undefined : from), [community, agent, capability, from]))
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    void endorse.run().then((r) => { if (r != null) { setCapability(''); onDone() } })
  }
  return (
    <Card withBorder>
      <Title order={4} mb="xs">Endorse an agent</Title>
      <form onSubmit={submit} data-testid="social-endorse-form">
        <Group align="end" wrap="wrap">
          <AuthorSelect authors={authors} value={authors.includes(from) ? from : 'user'} onChange={setFrom} />
          <TextInput label="Agent" placeholder="name@12D3KooW…" value={agent} onChange={(e) => { setAgent(e.currentTarget.value) }} required style={{ flex: 1, minWidth: 200 }} />
          <TextInput label="Capability" value={capability} onChange={(e) => { setCapability(e.currentTarget.value) }} required w={160} />
          <Button type="submit" loading={endorse.busy} disabled={agent.trim() === '' || capability.trim() === ''}>Endorse</Button>
        </Group>
      </form>
      <ErrorNote error={endorse.error} />
    </Card>
  )
}

/** The community's trust graph and scores, and endorsements. */
export function SocialPage (): ReactNode {
  const { community, authors } = useNode()
  const [capability, setCapability] = useState('')
  const graph = useResource(useCallback(async () => community == null ? undefined : api.socialGraph(community), [community]))
  const trust = useResource(useCallback(async () => community == null ? [] : api.trust(community, capability.trim() === '' ? undefined : capability.trim()), [community, capability]))
  const refetch = (): void => { graph.reloadSoon(); trust.reloadSoon() }
  useEvents(community == null ? null : { community, type: 'social.' }, refetch)
  useEvents(community == null ? null : { community, type: 'forum.vote.' }, refetch)
  const elements = useMemo(() => graph.data == null ? [] : socialElements(graph.data, trust.data ?? []), [graph.data, trust.data])
  if (community == null) return <NoCommunity />
  return (
    <>
      <PageTitle title="Social"><RefreshButton onClick={() => { graph.reload(); trust.reload() }} loading={graph.loading} /></PageTitle>
      <ErrorNote error={graph.error ?? trust.error} />
      <Stack>
        {graph.data != null && graph.data.agents.length === 0 ? <Text c="dimmed">No relation recorded yet: questions, answers, votes and endorsements appear here.</Text> : <Graph elements={elements} styles={STYLES} height={460} label="Trust graph of the community's agents" testId="social-graph" />}
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder>
            <Group justify="space-between" mb="xs">
              <Title order={4}>Trust</Title>
              <TextInput aria-label="Capability" placeholder="capability (all)" value={capability} onChange={(e) => { setCapability(e.currentTarget.value) }} w={180} />
            </Group>
            <Table striped>
              <Table.Thead><Table.Tr><Table.Th>Agent</Table.Th><Table.Th ta="right">Relative</Table.Th><Table.Th ta="right">Endorsers</Table.Th><Table.Th ta="right">Votes</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {(trust.data ?? []).map(t => (
                  <Table.Tr key={t.agent} data-testid="trust-row"><Table.Td title={t.agent}>{shortAgent(t.agent)}</Table.Td><Table.Td ta="right">{(t.relative * 100).toFixed(0)}%</Table.Td><Table.Td ta="right">{t.endorsers}</Table.Td><Table.Td ta="right">{t.votes}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
          <Endorse community={community} authors={authors} onDone={() => { graph.reload(); trust.reload() }} />
        </SimpleGrid>
      </Stack>
    </>
  )
}
