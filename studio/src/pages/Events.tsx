import { Badge, Button, Code, Group, NumberInput, Select, Stack, Switch, Table, Text, TextInput } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useMemo, useState } from 'react'
import { PageTitle } from '../components/common'
import { useEvents } from '../events'
import { shortAgent } from '../format'
import { useNode } from '../node-context'
import type { EventFilter } from '../events'
import type { ObservedEvent } from '../types'
import type { ReactNode } from 'react'

const TYPE = /^[a-z0-9_.]{1,100}$/
const CHANNEL = /^[a-z0-9][a-z0-9_-]{0,63}$/

function Row ({ o }: { o: ObservedEvent }): ReactNode {
  const e = o.event
  return (
    <Table.Tr data-testid="event-row" data-type={e.type}>
      <Table.Td><Text size="xs">{new Date(e.timestamp).toLocaleTimeString()}</Text></Table.Td>
      <Table.Td><Code>{e.type}</Code></Table.Td>
      <Table.Td><Badge size="xs" variant="light">{o.origin}</Badge></Table.Td>
      <Table.Td><Text size="xs">{e.community}{e.channel == null ? '' : ` #${e.channel}`}</Text></Table.Td>
      <Table.Td><Text size="xs" title={e.source}>{shortAgent(e.source)}{e.target == null ? '' : ` → ${shortAgent(e.target)}`}</Text></Table.Td>
      <Table.Td><Text size="xs" ff="monospace" lineClamp={2}>{JSON.stringify(e.payload)}</Text></Table.Td>
    </Table.Tr>
  )
}

/** A live log of the node's events, filtered by type prefix, community and channel, keeping the last N. */
export function EventsPage (): ReactNode {
  const { communities } = useNode()
  const [community, setCommunity] = useState<string | null>(null)
  const [channel, setChannel] = useState('')
  const [type, setType] = useState('')
  const [limit, setLimit] = useState<number | string>(200)
  const [paused, setPaused] = useState(false)
  const [log, setLog] = useState<Array<{ n: number, o: ObservedEvent }>>([])
  const [seen, setSeen] = useState(0)
  const [debouncedType] = useDebouncedValue(type.trim(), 400)
  const [debouncedChannel] = useDebouncedValue(channel.trim(), 400)
  const max = typeof limit === 'number' ? limit : 200
  const filter = useMemo<EventFilter>(() => ({
    ...(community == null ? {} : { community }),
    ...(CHANNEL.test(debouncedChannel) ? { channel: debouncedChannel } : {}),
    ...(TYPE.test(debouncedType) ? { type: debouncedType } : {})
  }), [community, debouncedChannel, debouncedType])
  const socket = useEvents(filter, (o) => {
    if (paused) return
    setSeen(n => n + 1)
    setLog(l => [{ n: (l[0]?.n ?? seen) + 1, o }, ...l].slice(0, max))
  })
  return (
    <>
      <PageTitle title="Events">
        <Badge color={socket === 'open' ? 'green' : 'yellow'} variant="dot" data-testid="events-socket" data-state={socket} data-type={filter?.type ?? ''}>{socket}</Badge>
        <Button variant="default" onClick={() => { setLog([]) }} data-testid="events-clear">Clear</Button>
      </PageTitle>
      <Stack>
        <Group align="end" wrap="wrap">
          <TextInput label="Type" description="exact, or a prefix ending in ." placeholder="channel." value={type} onChange={(e) => { setType(e.currentTarget.value) }} error={type.trim() !== '' && !TYPE.test(type.trim()) ? 'a-z, 0-9, _ and .' : undefined} data-testid="events-type" />
          <Select label="Community" description="any when empty" data={communities.map(c => c.name)} value={community} onChange={setCommunity} clearable placeholder="any" data-testid="events-community" />
          <TextInput label="Channel" description="any when empty" value={channel} onChange={(e) => { setChannel(e.currentTarget.value) }} data-testid="events-channel" />
          <NumberInput label="Keep last" description="events" value={limit} onChange={setLimit} min={10} max={5000} step={50} w={120} />
          <Switch label="Pause" checked={paused} onChange={(e) => { setPaused(e.currentTarget.checked) }} />
        </Group>
        <Text size="xs" c="dimmed">{log.length} events shown ({seen} received), newest first.</Text>
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover data-testid="event-log">
            <Table.Thead><Table.Tr><Table.Th>Time</Table.Th><Table.Th>Type</Table.Th><Table.Th>Origin</Table.Th><Table.Th>Where</Table.Th><Table.Th>From</Table.Th><Table.Th>Payload</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{log.map(({ n, o }) => <Row key={n} o={o} />)}</Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </>
  )
}
