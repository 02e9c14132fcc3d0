import { Badge, Button, Card, Group, Paper, SimpleGrid, Stack, Table, Tabs, Text, Textarea, TextInput, Title, UnstyledButton } from '@mantine/core'
import { useCallback, useState } from 'react'
import { api } from '../api'
import { asAgent, AuthorSelect, ErrorNote, NoCommunity, PageTitle, RefreshButton } from '../components/common'
import { useEvents } from '../events'
import { clock, shortAgent } from '../format'
import { useAction, useResource } from '../hooks'
import { useNode } from '../node-context'
import type { WikiPage as Page, WikiProposal } from '../types'
import type { SyntheticEvent, ReactNode } from 'react'

function EditForm ({ community, page, author, onDone }: { community: string, page: Page, author: string, onDone: (note: string) => void }): ReactNode {
  const [body, setBody] = useState(page.revision.body)
  const [summary, setSummary] = useState('')
  const edit = useAction(useCallback(async () => api.wikiEdit(community, page.slug, body, summary, asAgent(author)), [community, page.slug, body, summary, author]))
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    void edit.run().then((r) => {
      if (r == null) return
      setSummary('')
      onDone(r.kind === 'revision' ? `revision ${r.revision.number} saved` : 'proposed: the page\'s owner decides')
    })
  }
  return (
    <form onSubmit={submit} data-testid="wiki-edit-form">
      <Stack gap="xs">
        <Textarea label="Body (markdown)" value={body} onChange={(e) => { setBody(e.currentTarget.value) }} autosize minRows={6} data-testid="wiki-edit-body" />
        <TextInput label="Summary" value={summary} onChange={(e) => { setSummary(e.currentTarget.value) }} />
        <Group><Button type="submit" loading={edit.busy} disabled={body.trim() === ''} data-testid="wiki-edit-submit">Save</Button></Group>
        <ErrorNote error={edit.error} />
      </Stack>
    </form>
  )
}

function PageView ({ community, slug, author }: { community: string, slug: string, author: string }): ReactNode {
  const page = useResource(useCallback(async () => api.wikiPage(community, slug), [community, slug]))
  const history = useResource(useCallback(async () => api.wikiHistory(community, slug), [community, slug]))
  const [note, setNote] = useState<string | undefined>(undefined)
  useEvents({ community, type: 'wiki.' }, () => { page.reloadSoon(); history.reloadSoon() })
  const p = page.data
  return (
    <Card withBorder data-testid="wiki-page">
      <ErrorNote error={page.error} />
      {p != null && (
        <Tabs defaultValue="read">
          <Group justify="space-between" mb="xs">
            <Title order={3}>{p.title}</Title>
            <Group gap={4}><Badge variant="light">{p.protection}</Badge>{p.conflict && <Badge color="orange">conflict</Badge>}</Group>
          </Group>
          <Tabs.List>
            <Tabs.Tab value="read">Read</Tabs.Tab>
            <Tabs.Tab value="edit" data-testid="wiki-tab-edit">Edit</Tabs.Tab>
            <Tabs.Tab value="history">History ({p.revisions})</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="read" pt="sm">
            <Text size="xs" c="dimmed" mb="xs">Revision {p.revision.number} by {shortAgent(p.revision.author)}, {clock(p.revision.timestamp)}; owner {shortAgent(p.owner)}</Text>
            <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} ff="monospace" size="sm" data-testid="wiki-body">{p.revision.body}</Text>
          </Tabs.Panel>
          <Tabs.Panel value="edit" pt="sm">
            {note != null && <Text c="green" size="sm" mb="xs">{note}</Text>}
            <EditForm key={p.head} community={community} page={p} author={author} onDone={(n) => { setNote(n); page.reload(); history.reload() }} />
          </Tabs.Panel>
          <Tabs.Panel value="history" pt="sm">
            <Table striped>
              <Table.Thead><Table.Tr><Table.Th>#</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Author</Table.Th><Table.Th>When</Table.Th><Table.Th>Summary</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {(history.data ?? []).map(r => (
                  <Table.Tr key={r.id}><Table.Td>{r.number}</Table.Td><Table.Td>{r.kind}</Table.Td><Table.Td>{shortAgent(r.author)}</Table.Td><Table.Td>{clock(r.timestamp)}</Table.Td><Table.Td>{r.summary ?? ''}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Tabs.Panel>
        </Tabs>
      )}
    </Card>
  )
}

function NewPage ({ community, author, onCreated }: { community: string, author: string, onCreated: (slug: string) => void }): ReactNode {
  const [slug, setSlug] = useState('')
  const [body, setBody] = useState('')
  const create = useAction(useCallback(async () => api.wikiCreate(community, slug, body, undefined, asAgent(author)), [community, slug, body, author]))
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    void create.run().then((r) => {
      if (r == null) return
      onCreated(slug)
      setSlug('')
      setBody('')
    })
  }
  return (
    <Card withBorder>
      <Title order={4} mb="xs">New page</Title>
      <form onSubmit={submit} data-testid="wiki-new-page">
        <Stack gap="xs">
          <TextInput label="Slug" description="a-z, 0-9 and -" value={slug} onChange={(e) => { setSlug(e.currentTarget.value) }} required data-testid="wiki-new-slug" />
          <Textarea label="Body (markdown)" value={body} onChange={(e) => { setBody(e.currentTarget.value) }} autosize minRows={3} required data-testid="wiki-new-body" />
          <Group><Button type="submit" loading={create.busy} disabled={slug === '' || body.trim() === ''} data-testid="wiki-new-submit">Create</Button></Group>
        </Stack>
      </form>
      <ErrorNote error={create.error} />
    </Card>
  )
}

function Proposals ({ community, author, proposals, onDecided }: { community: string, author: string, proposals: WikiProposal[], onDecided: () => void }): ReactNode {
  const decide = useAction(useCallback(async (id: string, d: 'accept' | 'reject') => api.wikiDecide(community, id, d, undefined, asAgent(author)), [community, author]))
  const open = proposals.filter(p => p.status === 'open')
  return (
    <Card withBorder>
      <Title order={4} mb="xs">Open proposals ({open.length})</Title>
      <ErrorNote error={decide.error} />
      <Stack gap="xs">
        {open.map(p => (
          <Paper key={p.id} withBorder p="xs" data-testid="wiki-proposal">
            <Text size="sm" fw={600}>{p.slug}: {p.summary ?? '(no summary)'}</Text>
            <Text size="xs" c="dimmed">by {shortAgent(p.author)}, {clock(p.timestamp)}</Text>
            <Text size="xs" ff="monospace" lineClamp={4} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{p.body}</Text>
            <Group gap="xs" mt={4}>
              <Button size="compact-xs" color="green" onClick={() => { void decide.run(p.id, 'accept').then(onDecided) }} data-testid="wiki-proposal-accept">Accept</Button>
              <Button size="compact-xs" color="red" variant="light" onClick={() => { void decide.run(p.id, 'reject').then(onDecided) }} data-testid="wiki-proposal-reject">Reject</Button>
            </Group>
          </Paper>
        ))}
        {open.length === 0 && <Text size="sm" c="dimmed">None.</Text>}
      </Stack>
    </Card>
  )
}

/** The community's wiki: pages, editing, history, proposals to accept or reject. */
export function WikiPage (): ReactNode {
  const { community, authors } = useNode()
  const [open, setOpen] = useState<string | undefined>(undefined)
  const [author, setAuthor] = useState('user')
  const pages = useResource(useCallback(async () => community == null ? [] : api.wikiPages(community), [community]))
  const proposals = useResource(useCallback(async () => community == null ? [] : api.wikiProposals(community), [community]))
  useEvents(community == null ? null : { community, type: 'wiki.' }, () => { pages.reloadSoon(); proposals.reloadSoon() })
  if (community == null) return <NoCommunity />
  const as = authors.includes(author) ? author : 'user'
  return (
    <>
      <PageTitle title="Wiki">
        <AuthorSelect authors={authors} value={as} onChange={setAuthor} />
        <RefreshButton onClick={() => { pages.reload(); proposals.reload() }} loading={pages.loading} />
      </PageTitle>
      <ErrorNote error={pages.error ?? proposals.error} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack>
          {(pages.data ?? []).map(p => (
            <UnstyledButton key={p.slug} onClick={() => { setOpen(p.slug) }} data-testid="wiki-page-row" aria-pressed={open === p.slug}>
              <Paper withBorder p="xs" bg={open === p.slug ? 'var(--mantine-color-default-hover)' : undefined}>
                <Group justify="space-between"><Text fw={600}>{p.title}</Text><Text size="xs" c="dimmed">/{p.slug}</Text></Group>
                <Text size="xs" c="dimmed">{p.revisions} revisions · {clock(p.updatedAt)}{p.openProposals > 0 ? ` · ${p.openProposals} open proposals` : ''}</Text>
              </Paper>
            </UnstyledButton>
          ))}
          {pages.data?.length === 0 && <Text c="dimmed">No page yet.</Text>}
          <Proposals community={community} author={as} proposals={proposals.data ?? []} onDecided={() => { proposals.reload(); pages.reload() }} />
          <NewPage community={community} author={as} onCreated={(slug) => { pages.reload(); setOpen(slug) }} />
        </Stack>
        {open != null && <PageView key={open} community={community} slug={open} author={as} />}
      </SimpleGrid>
    </>
  )
}
