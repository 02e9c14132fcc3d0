import { Alert, Badge, Button, Card, Code, Group, NumberInput, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core'
import { useCallback, useMemo, useState } from 'react'
import { api } from '../api'
import { ErrorNote, Loading, NoCommunity, OnlineBadge, PageTitle, RefreshButton } from '../components/common'
import { useEvents } from '../events'
import { clock, shortAgent, shortId, textOf } from '../format'
import { useAction, useResource } from '../hooks'
import { useNode } from '../node-context'
import type { Agent, OaEvent, TrustScore } from '../types'
import type { SyntheticEvent, ReactNode } from 'react'

function AgentCard ({ agent, trust, self, onAsk }: { agent: Agent, trust: TrustScore | undefined, self: boolean, onAsk: (id: string) => void }): ReactNode {
  return (
    <Card withBorder data-testid="agent-row" data-agent={agent.id}>
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Text fw={700}>{agent.name}</Text>
        <OnlineBadge online={agent.online} />
      </Group>
      <Text size="sm" c="dimmed" mb="xs">{agent.description}</Text>
      <Group gap={4} mb="xs">
        <Badge variant="outline">{agent.kind}</Badge>
        {agent.capabilities.map(c => <Badge key={c} variant="light">{c}</Badge>)}
      </Group>
      <Text size="xs">Node: <Code title={agent.peerId}>{shortId(agent.peerId)}</Code>{self && <Badge component="span" size="xs" ml={4}>this node</Badge>}</Text>
      <Text size="xs">Community: {agent.community} · seen {clock(agent.seenAt)}</Text>
      {trust != null && <Text size="xs" data-testid="agent-trust">Trust: {(trust.relative * 100).toFixed(0)}% of the most trusted ({trust.endorsers} endorsers, {trust.votes} net votes)</Text>}
      <Button mt="sm" size="xs" variant="light" onClick={() => { onAsk(agent.id) }} disabled={!agent.online}>Ask {agent.name}</Button>
    </Card>
  )
}

function DirectForm ({ agents, community, target, setTarget }: { agents: Agent[], community: string, target: string | null, setTarget: (id: string | null) => void }): ReactNode {
  const [text, setText] = useState('')
  const [timeout, setTimeoutMs] = useState<number | string>(30_000)
  const [reply, setReply] = useState<OaEvent | undefined>(undefined)
  const ask = useAction(useCallback(async (id: string, q: string, ms: number) => api.ask(id, q, community, ms), [community]))
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    if (target == null) return
    setReply(undefined)
    void ask.run(target, text, typeof timeout === 'number' ? timeout : 30_000).then((r) => { if (r != null) setReply(r.reply) })
  }
  return (
    <Card withBorder>
      <Title order={4} mb="xs">Direct request</Title>
      <form onSubmit={submit} data-testid="direct-form">
        <Stack>
          <Select
            label="Agent"
            placeholder="Pick an agent"
            data={agents.filter(a => a.online).map(a => ({ value: a.id, label: shortAgent(a.id) }))}
            value={target}
            onChange={setTarget}
            searchable
            data-testid="direct-agent"
          />
          <Textarea label="Question" value={text} onChange={(e) => { setText(e.currentTarget.value) }} autosize minRows={2} required data-testid="direct-text" />
          <NumberInput label="Timeout (ms)" value={timeout} onChange={setTimeoutMs} min={100} max={600_000} step={1000} w={180} />
          <Group><Button type="submit" loading={ask.busy} disabled={target == null || text.trim() === ''} data-testid="direct-submit">Send</Button></Group>
        </Stack>
      </form>
      <ErrorNote error={ask.error} title="The request failed" />
      {reply != null && (
        <Alert color="green" title={`Reply from ${shortAgent(reply.source)}`} mt="sm" data-testid="direct-reply">
          <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{textOf(reply.payload)}</Text>
        </Alert>
      )}
    </Card>
  )
}

/** Every agent found in the community, and a form to ask one. */
export function AgentsPage (): ReactNode {
  const { community, mods, status } = useNode()
  const [capability, setCapability] = useState('')
  const [target, setTarget] = useState<string | null>(null)
  const agents = useResource(useMemo(() => community == null ? null : async () => api.agents(community), [community]))
  const trust = useResource(useMemo(() => community == null || !mods.includes('social') ? null : async () => api.trust(community), [community, mods]))
  useEvents(community == null ? null : { community, type: 'agent.presence.' }, () => { agents.reloadSoon() })
  if (community == null) return <NoCommunity />
  const list = (agents.data ?? []).filter(a => capability === '' || a.capabilities.some(c => c.includes(capability.toLowerCase())))
  const trustOf = (id: string): TrustScore | undefined => trust.data?.find(t => t.agent === id)
  return (
    <>
      <PageTitle title="Agents">
        <Loading when={agents.loading} />
        <RefreshButton onClick={() => { agents.reload(); trust.reload() }} />
      </PageTitle>
      <ErrorNote error={agents.error} />
      <Stack>
        <TextInput label="Capability" placeholder="python, kubernetes, …" value={capability} onChange={(e) => { setCapability(e.currentTarget.value) }} w={260} />
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {list.map(a => <AgentCard key={a.id} agent={a} trust={trustOf(a.id)} self={a.peerId === status?.peerId} onAsk={setTarget} />)}
        </SimpleGrid>
        {agents.data != null && list.length === 0 && <Text c="dimmed">No agent found.</Text>}
        <DirectForm agents={agents.data ?? []} community={community} target={target} setTarget={setTarget} />
      </Stack>
    </>
  )
}
