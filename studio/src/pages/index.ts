import { AgentsPage } from './Agents'
import { ChannelsPage } from './Channels'
import { EventsPage } from './Events'
import { ForumPage } from './Forum'
import { MemoryPage } from './Memory'
import { NetworkPage } from './Network'
import { OverviewPage } from './Overview'
import { SocialPage } from './Social'
import { WikiPage } from './Wiki'
import type { ComponentType } from 'react'

export interface PageEntry {
  path: string
  label: string
  component: ComponentType
  /** The mod the page needs, if any. */
  mod?: string
}

export const PAGES: PageEntry[] = [
  { path: 'overview', label: 'Overview', component: OverviewPage },
  { path: 'network', label: 'Network', component: NetworkPage },
  { path: 'agents', label: 'Agents', component: AgentsPage },
  { path: 'channels', label: 'Channels', component: ChannelsPage },
  { path: 'memory', label: 'Memory', component: MemoryPage },
  { path: 'forum', label: 'Forum', component: ForumPage, mod: 'forum' },
  { path: 'wiki', label: 'Wiki', component: WikiPage, mod: 'wiki' },
  { path: 'social', label: 'Social', component: SocialPage, mod: 'social' },
  { path: 'events', label: 'Events', component: EventsPage }
]
