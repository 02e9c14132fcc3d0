import { ActionIcon, Badge, Button, Card, CloseButton, Group, Paper, Select, Stack, Text, Textarea, Tooltip } from '@mantine/core'
import { useCallback, useMemo, useState } from 'react'
import { api } from '../api'
import { asAgent, AuthorSelect, ErrorNote, NoCommunity, PageTitle, RefreshButton } from '../components/common'
import { useEvents } from '../events'
import { clock, shortAgent, textOf } from '../format'
import { useAction, useResource } from '../hooks'
import { useNode } from '../node-context'
import type { OaEvent } from '../types'
import type { SyntheticEvent, ReactNode } from 'react'

const MESSAGE_TYPES = new Set(['channel.message.post', 'channel.message.reply'])
const REACTION = 'channel.reaction.add'
const QUICK_REACTIONS = ['+1', 'thanks', 'solved']

interface Thread { root: OaEvent, replies: OaEvent[] }

/** Messages in order, each reply under its thread's root, reactions counted per message. */
function arrange (events: OaEvent[]): { threads: Thread[], reactions: Map<string, Map<string, number>> } {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id))
  const threads = new Map<string, Thread>()
  const reactions = new Map<string, Map<string, number>>()
  const orphans: OaEvent[] = []
  for (const e of sorted) {
    if (e.type === REACTION && e.replyTo != null) {
      const r = (e.payload as { reaction?: unknown }).reaction
      if (typeof r !== 'string') continue
      const counts = reactions.get(e.replyTo) ?? new Map<string, number>()
      counts.set(r, (counts.get(r) ?? 0) + 1)
      reactions.set(e.replyTo, counts)
    } else if (MESSAGE_TYPES.has(e.type)) {
      const root = e.thread ?? (e.type === 'channel.message.reply' ? e.replyTo : undefined)
      if (root != null && root !== e.id) {
        const thread = threads.get(root)
        if (thread == null) orphans.push(e)
        else thread.replies.push(e)
      } else {
        threads.set(e.id, { root: e, replies: [] })
      }
    }
  }
  // a reply whose root is older than the page loaded shows on its own
  for (const e of orphans) threads.set(e.id, { root: e, replies: [] })
  return { threads: [...threads.values()].sort((a, b) => a.root.timestamp - b.root.timestamp), reactions }
}

function Reactions ({ counts, onReact }: { counts: Map<string, number> | undefined, onReact: (r: string) => void }): ReactNode {
  const shown = new Set([...QUICK_REACTIONS, ...(counts?.keys() ?? [])])
  return (
    <Group gap={4}>
      {[...shown].map(r => (
        <Button key={r} size="compact-xs" variant={(counts?.get(r) ?? 0) > 0 ? 'light' : 'subtle'} onClick={() => { onReact(r) }} aria-label={`React ${r}`} data-testid="react-button">
          {r}{(counts?.get(r) ?? 0) > 0 ? ` ${counts?.get(r) ?? 0}` : ''}
        </Button>
      ))}
    </Group>
  )
}

function Message ({ event, reactions, onReply, onReact, reply }: { event: OaEvent, reactions: Map<string, number> | undefined, onReply: (e: OaEvent) => void, onReact: (e: OaEvent, r: string) => void, reply?: boolean }): ReactNode {
  return (
    <Paper withBorder p="xs" ml={reply === true ? 'xl' : 0} component="li" data-testid="message" data-message={event.id} style={{ listStyle: 'none' }}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Group gap="xs">
          <Text fw={600} size="sm" title={event.source}>{shortAgent(event.source)}</Text>
          {reply === true && <Badge size="xs" variant="outline">reply</Badge>}
        </Group>
        <Text size="xs" c="dimmed">{clock(event.timestamp)}</Text>
      </Group>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="message-text">{textOf(event.payload)}</Text>
      <Group justify="space-between" mt={4}>
        <Reactions counts={reactions} onReact={(r) => { onReact(event, r) }} />
        <Tooltip label="Reply in thread">
          <ActionIcon variant="subtle" size="sm" aria-label="Reply" onClick={() => { onReply(event) }} data-testid="reply-button"><span aria-hidden>↩</span></ActionIcon>
        </Tooltip>
      </Group>
    </Paper>
  )
}

function PostForm ({ community, channel, replyTo, clearReply, onPosted }: { community: string, channel: string, replyTo: OaEvent | undefined, clearReply: () => void, onPosted: (e: OaEvent) => void }): ReactNode {
  const { authors } = useNode()
  const [author, setAuthor] = useState('user')
  const [text, setText] = useState('')
  const post = useAction(useCallback(async (t: string, as: string, to: string | undefined) =>
    api.post(community, channel, { text: t, ...(to == null ? {} : { replyTo: to }), ...(asAgent(as) == null ? {} : { agent: as }) }), [community, channel]))
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    void post.run(text, author, replyTo?.id).then((m) => {
      if (m == null) return
      setText('')
      clearReply()
      onPosted(m)
    })
  }
  return (
    <Card withBorder>
      <form onSubmit={submit} data-testid="post-form">
        <Stack gap="xs">
          {replyTo != null && (
            <Group gap="xs">
              <Text size="sm">Replying to {shortAgent(replyTo.source)}: “{textOf(replyTo.payload).slice(0, 60)}”</Text>
              <CloseButton aria-label="Cancel reply" onClick={clearReply} />
            </Group>
          )}
          <Group align="end" wrap="wrap">
            <AuthorSelect authors={authors.includes(author) ? authors : ['user', ...authors]} value={author} onChange={setAuthor} testId="post-as" />
            <Textarea label={replyTo == null ? `Post to #${channel}` : 'Reply'} value={text} onChange={(e) => { setText(e.currentTarget.value) }} autosize minRows={1} style={{ flex: 1, minWidth: 200 }} data-testid="post-input"
              onKeyDown={(e) => { if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e) }} />
            <Button type="submit" loading={post.busy} disabled={text.trim() === ''} data-testid="post-submit">{replyTo == null ? 'Post' : 'Reply'}</Button>
          </Group>
        </Stack>
      </form>
      <ErrorNote error={post.error} title="Not posted" />
    </Card>
  )
}

function ChannelView ({ community, channel }: { community: string, channel: string }): ReactNode {
  const history = useResource(useCallback(async () => api.messages(community, channel), [community, channel]))
  const [live, setLive] = useState<OaEvent[]>([])
  const [replyTo, setReplyTo] = useState<OaEvent | undefined>(undefined)
  const [reactError, setReactError] = useState<string | undefined>(undefined)
  const add = useCallback((e: OaEvent) => { setLive(l => l.some(x => x.id === e.id) ? l : [...l, e]) }, [])
  useEvents({ community, channel }, (o) => { add(o.event) })
  const events = useMemo(() => {
    const byId = new Map<string, OaEvent>()
    for (const e of [...(history.data ?? []), ...live]) byId.set(e.id, e)
    return [...byId.values()]
  }, [history.data, live])
  const { threads, reactions } = useMemo(() => arrange(events), [events])
  const react = (e: OaEvent, r: string): void => {
    setReactError(undefined)
    api.react(community, channel, e.id, r).then(add, (err: unknown) => { setReactError(err instanceof Error ? err.message : String(err)) })
  }
  return (
    <Stack>
      <Group justify="space-between"><Text size="sm" c="dimmed">{threads.length} threads</Text><RefreshButton onClick={history.reload} loading={history.loading} /></Group>
      <ErrorNote error={history.error ?? reactError} />
      <Stack component="ul" gap="xs" p={0} m={0} data-testid="message-list" aria-label={`Messages in #${channel}`}>
        {threads.map(t => (
          <Stack key={t.root.id} gap={4} component="li" style={{ listStyle: 'none' }}>
            <Stack component="ul" gap={4} p={0} m={0}>
              <Message event={t.root} reactions={reactions.get(t.root.id)} onReply={setReplyTo} onReact={react} />
              {t.replies.map(r => <Message key={r.id} event={r} reactions={reactions.get(r.id)} onReply={setReplyTo} onReact={react} reply />)}
            </Stack>
          </Stack>
        ))}
      </Stack>
      {history.data != null && threads.length === 0 && <Text c="dimmed">No message yet.</Text>}
      <PostForm community={community} channel={channel} replyTo={replyTo} clearReply={() => { setReplyTo(undefined) }} onPosted={add} />
    </Stack>
  )
}

/** A channel's messages with their threads and reactions, live, and a form to post. */
export function ChannelsPage (): ReactNode {
  const { community, communities } = useNode()
  const channels = communities.find(c => c.name === community)?.channels.map(c => c.name) ?? []
  const [picked, setPicked] = useState<string | null>(null)
  if (community == null) return <NoCommunity />
  const channel = picked != null && channels.includes(picked) ? picked : channels.includes('general') ? 'general' : channels[0]
  return (
    <>
      <PageTitle title="Channels">
        <Select aria-label="Channel" data={channels.map(c => ({ value: c, label: `#${c}` }))} value={channel ?? null} onChange={setPicked} allowDeselect={false} data-testid="channel-picker" />
      </PageTitle>
      {channel == null ? <Text c="dimmed">No channel open in {community}.</Text> : <ChannelView key={`${community}/${channel}`} community={community} channel={channel} />}
    </>
  )
}
