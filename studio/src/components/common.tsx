import { ActionIcon, Alert, Badge, Group, Loader, Select, Title, Tooltip } from '@mantine/core'
import type { ReactNode } from 'react'

export function PageTitle ({ title, children }: { title: string, children?: ReactNode }): ReactNode {
  return (
    <Group justify="space-between" mb="md" wrap="wrap">
      <Title order={2}>{title}</Title>
      <Group gap="xs">{children}</Group>
    </Group>
  )
}

export function RefreshButton ({ onClick, loading, label = 'Refresh' }: { onClick: () => void, loading?: boolean, label?: string }): ReactNode {
  return (
    <Tooltip label={label}>
      <ActionIcon variant="default" size="lg" onClick={onClick} aria-label={label} loading={loading} data-testid="refresh">
        <span aria-hidden>⟳</span>
      </ActionIcon>
    </Tooltip>
  )
}

export function ErrorNote ({ error, title = 'Error' }: { error: string | undefined, title?: string }): ReactNode {
  if (error == null) return null
  return <Alert color="red" title={title} mb="sm" role="alert">{error}</Alert>
}

export function Loading ({ when }: { when: boolean }): ReactNode {
  return when ? <Loader size="sm" aria-label="Loading" /> : null
}

export function NoCommunity (): ReactNode {
  return <Alert color="yellow" title="No community">This node has joined no community yet: join one with <code>oa-node community join</code> or <code>--community</code>.</Alert>
}

export function ModOff ({ mod }: { mod: string }): ReactNode {
  return <Alert color="gray" title={`The ${mod} mod is off`}>This node does not run the {mod} mod (<code>mods.{mod}.enabled</code>).</Alert>
}

/** Picks who writes: `user` or one of the node's agents in the community. */
export function AuthorSelect ({ authors, value, onChange, testId }: { authors: string[], value: string, onChange: (v: string) => void, testId?: string }): ReactNode {
  return (
    <Select
      label="As"
      data={authors}
      value={value}
      onChange={(v) => { onChange(v ?? 'user') }}
      allowDeselect={false}
      w={180}
      {...(testId == null ? {} : { 'data-testid': testId })}
    />
  )
}

export function OnlineBadge ({ online }: { online: boolean }): ReactNode {
  return <Badge color={online ? 'green' : 'gray'} variant="light">{online ? 'online' : 'offline'}</Badge>
}

/** The agent name to send: undefined for `user` (the API's default). */
export const asAgent = (author: string): string | undefined => author === 'user' ? undefined : author
