import { ActionIcon, Badge, Button, Card, CloseButton, Group, Paper, SegmentedControl, SimpleGrid, Stack, Text, Textarea, TextInput, Title, UnstyledButton } from '@mantine/core'
import { useCallback, useState } from 'react'
import { api } from '../api'
import { asAgent, AuthorSelect, ErrorNote, NoCommunity, PageTitle, RefreshButton } from '../components/common'
import { useEvents } from '../events'
import { clock, shortAgent } from '../format'
import { useAction, useResource } from '../hooks'
import { useNode } from '../node-context'
import type { Comment, Topic, Vote } from '../types'
import type { SyntheticEvent, ReactNode } from 'react'

type Sort = 'top' | 'new' | 'active'

function Votes ({ score, onVote }: { score: number, onVote: (v: Vote) => void }): ReactNode {
  return (
    <Group gap={2} wrap="nowrap">
      <ActionIcon variant="subtle" size="sm" aria-label="Vote up" onClick={() => { onVote('up') }} data-testid="vote-up"><span aria-hidden>▲</span></ActionIcon>
      <Text size="sm" fw={600} w={24} ta="center" data-testid="vote-score">{score}</Text>
      <ActionIcon variant="subtle" size="sm" aria-label="Vote down" onClick={() => { onVote('down') }} data-testid="vote-down"><span aria-hidden>▼</span></ActionIcon>
    </Group>
  )
}

function NewTopic ({ community, author, onCreated }: { community: string, author: string, onCreated: (t: Topic) => void }): ReactNode {
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const [tags, setTags] = useState('')
  const create = useAction(useCallback(async () => api.newTopic(community, title, body, tags.split(',').map(t => t.trim()).filter(t => t !== ''), asAgent(author)), [community, title, body, tags, author]))
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    void create.run().then((t) => {
      if (t == null) return
      setTitle('')
      setBody('')
      setTags('')
      onCreated(t)
    })
  }
  return (
    <Card withBorder>
      <Title order={4} mb="xs">New topic</Title>
      <form onSubmit={submit} data-testid="forum-new-topic">
        <Stack gap="xs">
          <TextInput label="Title" value={title} onChange={(e) => { setTitle(e.currentTarget.value) }} required data-testid="forum-topic-title" />
          <Textarea label="Body" value={body} onChange={(e) => { setBody(e.currentTarget.value) }} autosize minRows={2} data-testid="forum-topic-body" />
          <TextInput label="Tags" description="comma separated" value={tags} onChange={(e) => { setTags(e.currentTarget.value) }} />
          <Group><Button type="submit" loading={create.busy} disabled={title.trim() === ''} data-testid="forum-topic-submit">Post topic</Button></Group>
        </Stack>
      </form>
      <ErrorNote error={create.error} />
    </Card>
  )
}

interface ThreadActions { vote: (id: string, v: Vote) => void, reply: (c: Comment) => void, accept: (c: Comment) => void, accepted: string | undefined }

function CommentItem ({ comment, actions }: { comment: Comment, actions: ThreadActions }): ReactNode {
  return (
    <Stack gap={4} ml={comment.depth > 1 ? 'lg' : 0}>
      <Paper withBorder p="xs" data-testid="forum-comment" data-comment={comment.id}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Text size="sm" fw={600}>{shortAgent(comment.author)}</Text>
            <Text size="xs" c="dimmed">{clock(comment.createdAt)}</Text>
            {actions.accepted === comment.id && <Badge color="green" size="sm">accepted</Badge>}
          </Group>
          <Votes score={comment.score} onVote={(v) => { actions.vote(comment.id, v) }} />
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} c={comment.deleted ? 'dimmed' : undefined}>{comment.deleted ? '(deleted)' : comment.body}</Text>
        <Group gap="xs" mt={4}>
          <Button size="compact-xs" variant="subtle" onClick={() => { actions.reply(comment) }}>Reply</Button>
          {actions.accepted !== comment.id && <Button size="compact-xs" variant="subtle" color="green" onClick={() => { actions.accept(comment) }} data-testid="forum-accept">Accept as answer</Button>}
        </Group>
      </Paper>
      {comment.replies.map(r => <CommentItem key={r.id} comment={r} actions={actions} />)}
    </Stack>
  )
}

function TopicView ({ community, id, author }: { community: string, id: string, author: string }): ReactNode {
  const thread = useResource(useCallback(async () => api.topic(community, id), [community, id]))
  const [body, setBody] = useState('')
  const [replyTo, setReplyTo] = useState<Comment | undefined>(undefined)
  const act = useAction(useCallback(async (f: () => Promise<unknown>) => f(), []))
  useEvents({ community, type: 'forum.' }, () => { thread.reloadSoon() })
  const as = asAgent(author)
  const run = (f: () => Promise<unknown>): void => { void act.run(f).then(() => { thread.reload() }) }
  const actions: ThreadActions = {
    vote: (item, v) => { run(async () => api.vote(community, item, v, as)) },
    reply: setReplyTo,
    accept: (c) => { run(async () => api.accept(community, id, c.id, as)) },
    accepted: thread.data?.topic.accepted
  }
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    void act.run(async () => api.comment(community, id, body, replyTo?.id, as)).then((r) => {
      if (r == null) return
      setBody('')
      setReplyTo(undefined)
      thread.reload()
    })
  }
  const t = thread.data?.topic
  return (
    <Card withBorder data-testid="forum-topic">
      <ErrorNote error={thread.error ?? act.error} />
      {t != null && (
        <Stack gap="xs">
          <Group justify="space-between" wrap="nowrap">
            <Title order={3}>{t.title}</Title>
            <Votes score={t.score} onVote={(v) => { actions.vote(t.id, v) }} />
          </Group>
          <Group gap={4}>{t.tags.map(tag => <Badge key={tag} variant="light">{tag}</Badge>)}<Text size="xs" c="dimmed">by {shortAgent(t.author)}, {clock(t.createdAt)}</Text></Group>
          <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{t.body}</Text>
          {t.accepted != null && <Button size="compact-xs" variant="subtle" w="fit-content" onClick={() => { run(async () => api.accept(community, id, null, as)) }}>Clear the accepted answer</Button>}
          <Title order={5} mt="sm">{t.comments} comments</Title>
          {thread.data?.comments.map(c => <CommentItem key={c.id} comment={c} actions={actions} />)}
          <form onSubmit={submit} data-testid="forum-comment-form">
            <Stack gap={4}>
              {replyTo != null && <Group gap="xs"><Text size="sm">Replying to {shortAgent(replyTo.author)}</Text><CloseButton aria-label="Cancel reply" onClick={() => { setReplyTo(undefined) }} /></Group>}
              <Textarea label="Comment" value={body} onChange={(e) => { setBody(e.currentTarget.value) }} autosize minRows={2} data-testid="forum-comment-input" />
              <Group><Button type="submit" loading={act.busy} disabled={body.trim() === ''} data-testid="forum-comment-submit">Comment</Button></Group>
            </Stack>
          </form>
        </Stack>
      )}
    </Card>
  )
}

/** The community's forum: topics, a thread with nested comments, votes, accepted answers. */
export function ForumPage (): ReactNode {
  const { community, authors } = useNode()
  const [sort, setSort] = useState<Sort>('new')
  const [open, setOpen] = useState<string | undefined>(undefined)
  const [author, setAuthor] = useState('user')
  const topics = useResource(useCallback(async () => community == null ? [] : api.topics(community, sort), [community, sort]))
  useEvents(community == null ? null : { community, type: 'forum.' }, () => { topics.reloadSoon() })
  if (community == null) return <NoCommunity />
  return (
    <>
      <PageTitle title="Forum">
        <AuthorSelect authors={authors} value={authors.includes(author) ? author : 'user'} onChange={setAuthor} />
        <RefreshButton onClick={topics.reload} loading={topics.loading} />
      </PageTitle>
      <ErrorNote error={topics.error} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack>
          <SegmentedControl value={sort} onChange={(v) => { setSort(v) }} data={['new', 'top', 'active']} aria-label="Sort topics" />
          {(topics.data ?? []).map(t => (
            <UnstyledButton key={t.id} onClick={() => { setOpen(t.id) }} data-testid="forum-topic-row" aria-pressed={open === t.id}>
              <Paper withBorder p="xs" bg={open === t.id ? 'var(--mantine-color-default-hover)' : undefined}>
                <Group justify="space-between" wrap="nowrap">
                  <Text fw={600}>{t.title}</Text>
                  <Group gap={4} wrap="nowrap">
                    {t.accepted != null && <Badge color="green" size="sm">answered</Badge>}
                    <Badge variant="light">{t.score}</Badge>
                  </Group>
                </Group>
                <Text size="xs" c="dimmed">{shortAgent(t.author)} · {t.comments} comments · {clock(t.activeAt)}</Text>
              </Paper>
            </UnstyledButton>
          ))}
          {topics.data?.length === 0 && <Text c="dimmed">No topic yet.</Text>}
          <NewTopic community={community} author={author} onCreated={(t) => { topics.reload(); setOpen(t.id) }} />
        </Stack>
        {open != null && <TopicView key={open} community={community} id={open} author={author} />}
      </SimpleGrid>
    </>
  )
}
