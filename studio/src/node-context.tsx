import { createContext, use, useCallback, useMemo, useState } from 'react'
import { api } from './api'
import { useEvents } from './events'
import { useResource } from './hooks'
import type { SocketState } from './events'
import type { Community, Status } from './types'
import type { ReactNode } from 'react'

interface NodeValue {
  status: Status | undefined
  communities: Community[]
  /** The community the pages show. */
  community: string | undefined
  setCommunity: (name: string) => void
  /** The names this node can post as in the current community: `user` and its agents. */
  authors: string[]
  /** The node's mods (`forum`, `wiki`, `social`, ...). */
  mods: string[]
  socket: SocketState
  refresh: () => void
}

const NodeContext = createContext<NodeValue | null>(null)
const STORED = 'oa-studio.community'

/** What every page needs: the node's status, its communities and the one picked. */
export function NodeProvider ({ children }: { children: ReactNode }): ReactNode {
  const status = useResource(useCallback(async () => api.status(), []))
  const communities = useResource(useCallback(async () => api.communities(), []))
  const [picked, setPicked] = useState<string | null>(() => window.localStorage.getItem(STORED))
  // a joined or left community, and an agent that came or went, change what is shown
  const socket = useEvents({}, (e) => {
    if (e.event.type.startsWith('agent.presence.') || e.event.type.startsWith('community.')) {
      status.reloadSoon()
      communities.reloadSoon()
    }
  })
  const list = useMemo(() => communities.data ?? [], [communities.data])
  const community = list.some(c => c.name === picked) ? picked ?? undefined : list[0]?.name
  const setCommunity = useCallback((name: string) => {
    window.localStorage.setItem(STORED, name)
    setPicked(name)
  }, [])
  const { reload: reloadStatus } = status
  const { reload: reloadCommunities } = communities
  const refresh = useCallback(() => {
    reloadStatus()
    reloadCommunities()
  }, [reloadStatus, reloadCommunities])
  const authors = useMemo(() => ['user', ...(status.data?.agents ?? []).filter(a => a.community === community && a.state === 'running' && a.via == null).map(a => a.name)], [status.data, community])
  const value = useMemo<NodeValue>(() => ({
    status: status.data,
    communities: list,
    community,
    setCommunity,
    authors: [...new Set(authors)],
    mods: status.data?.mods ?? [],
    socket,
    refresh
  }), [status.data, list, community, setCommunity, authors, socket, refresh])
  return <NodeContext value={value}>{children}</NodeContext>
}

export function useNode (): NodeValue {
  const value = use(NodeContext)
  if (value == null) throw new Error('useNode outside NodeProvider')
  return value
}
