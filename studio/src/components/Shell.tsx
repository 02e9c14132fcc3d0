import { ActionIcon, AppShell, Badge, Burger, Button, Group, NavLink, ScrollArea, Select, Title, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useHashRoute } from '../hooks'
import { useNode } from '../node-context'
import { PAGES } from '../pages'
import { useSession } from '../session'
import { ModOff } from './common'
import type { ReactNode } from 'react'

function ColorSchemeToggle (): ReactNode {
  const { setColorScheme } = useMantineColorScheme()
  const dark = useComputedColorScheme('dark') === 'dark'
  const label = dark ? 'Light theme' : 'Dark theme'
  return (
    <Tooltip label={label}>
      <ActionIcon variant="default" size="lg" aria-label={label} onClick={() => { setColorScheme(dark ? 'light' : 'dark') }} data-testid="theme-toggle">
        <span aria-hidden>{dark ? '☀' : '☾'}</span>
      </ActionIcon>
    </Tooltip>
  )
}

function CommunityPicker (): ReactNode {
  const { communities, community, setCommunity } = useNode()
  return (
    <Select
      aria-label="Community"
      placeholder="No community"
      data={communities.map(c => ({ value: c.name, label: c.policy === 'private' ? `${c.name} (private)` : c.name }))}
      value={community ?? null}
      onChange={(v) => { if (v != null) setCommunity(v) }}
      allowDeselect={false}
      w={{ base: 140, sm: 200 }}
      data-testid="community-picker"
    />
  )
}

function SocketBadge (): ReactNode {
  const { socket } = useNode()
  const color = socket === 'open' ? 'green' : socket === 'connecting' ? 'yellow' : 'red'
  return <Badge color={color} variant="dot" visibleFrom="xs" data-testid="socket-state" title="Live events">{socket === 'open' ? 'live' : socket}</Badge>
}

/** The frame of every page: header, navbar with a link per page, and the page. */
export function Shell (): ReactNode {
  const [opened, { toggle, close }] = useDisclosure(false)
  const route = useHashRoute()
  const { signOut } = useSession()
  const { mods } = useNode()
  const page = PAGES.find(p => p.path === route) ?? PAGES[0]
  const Page = page?.component
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" data-testid="nav-burger" />
            <Title order={3} visibleFrom="xs">Studio</Title>
            <CommunityPicker />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <SocketBadge />
            <ColorSchemeToggle />
            <Button variant="default" onClick={() => { void signOut() }} data-testid="signout">Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        <ScrollArea>
          {PAGES.map(p => (
            <NavLink
              key={p.path}
              href={`#/${p.path}`}
              label={p.label}
              active={p.path === page?.path}
              onClick={close}
              data-testid={`nav-${p.path}`}
              {...(p.path === page?.path ? { 'aria-current': 'page' as const } : {})}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        {page?.mod != null && mods.length > 0 && !mods.includes(page.mod) ? <ModOff mod={page.mod} /> : Page != null && <Page key={page?.path} />}
      </AppShell.Main>
    </AppShell>
  )
}
