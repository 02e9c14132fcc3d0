import type {
  Agent, Community, Endorsement, Member, MemoryHit, MemoryOverview, MemoryRecord, MemoryStats, ModInfo, Network, OaEvent,
  PeerInfo, SearchMode, SocialGraph, Status, Topic, TopicThread, TrustScore, Vote, WikiEdit, WikiPage, WikiPageSummary, WikiProposal, WikiRevision
} from './types'

/** An answer other than 2xx: the API's `{ error: { code, message } }`, or what the status says. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor (status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

type Listener = () => void
const unauthorizedListeners = new Set<Listener>()

/** Called on any 401 from `/v1/...`: the session is gone, the sign-in form is shown. */
export function onUnauthorized (listener: Listener): () => void {
  unauthorizedListeners.add(listener)
  return () => { unauthorizedListeners.delete(listener) }
}

async function errorOf (res: Response): Promise<ApiError> {
  let code = `http_${res.status}`
  let message = res.statusText || `HTTP ${res.status}`
  try {
    const body = await res.json() as { error?: { code?: unknown, message?: unknown } }
    if (typeof body.error?.code === 'string') code = body.error.code
    if (typeof body.error?.message === 'string') message = body.error.message
  } catch {
    // not JSON: the status says it
  }
  return new ApiError(res.status, code, message)
}

/** A same-origin request: the session cookie authenticates it, never a header or the URL. */
async function request<T> (method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  if (!res.ok) {
    const err = await errorOf(res)
    if (res.status === 401 && path.startsWith('/v1/')) for (const l of unauthorizedListeners) l()
    throw err
  }
  return await res.json() as T
}

const get = async <T>(path: string): Promise<T> => request<T>('GET', path)
const post = async <T>(path: string, body: unknown = {}): Promise<T> => request<T>('POST', path, body)
const del = async <T>(path: string): Promise<T> => request<T>('DELETE', path)

const enc = encodeURIComponent
const c = (community: string): string => `/v1/communities/${enc(community)}`

function query (params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

/** Studio's session: `GET` tells whether the cookie is valid, `POST` exchanges the token for one. */
export const session = {
  async check (): Promise<boolean> {
    const res = await fetch('/studio/session', { credentials: 'same-origin', headers: { accept: 'application/json' } })
    if (res.status === 401) return false
    if (!res.ok) throw await errorOf(res)
    const body = await res.json() as { signedIn?: unknown }
    return body.signedIn === true
  },
  async signIn (token: string): Promise<void> {
    const res = await fetch('/studio/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ token })
    })
    if (!res.ok) throw await errorOf(res)
  },
  async signOut (): Promise<void> {
    await fetch('/studio/session/end', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' })
  }
}

export interface PostInput { text: string, replyTo?: string, agent?: string }

/** The control API, by page. */
export const api = {
  status: async () => get<Status>('/v1/status'),
  peers: async () => (await get<{ peers: PeerInfo[] }>('/v1/peers')).peers,
  network: async () => get<Network>('/v1/network'),
  mods: async () => (await get<{ mods: ModInfo[] }>('/v1/mods')).mods,
  communities: async () => (await get<{ communities: Community[] }>('/v1/communities')).communities,
  members: async (community: string) => (await get<{ members: Member[] }>(`${c(community)}/members`)).members,

  agents: async (community?: string, capability?: string) => (await get<{ agents: Agent[] }>(`/v1/agents${query({ community, capability })}`)).agents,
  /** A direct request to `<name>@<peer id>`, as the user; the reply event. */
  ask: async (agent: string, text: string, community?: string, timeoutMs?: number) =>
    post<{ agent: string, reply: OaEvent }>(`/v1/agents/${enc(agent)}/requests`, { text, ...(community == null ? {} : { community }), ...(timeoutMs == null ? {} : { timeoutMs }) }),

  messages: async (community: string, channel: string, limit = 200) =>
    (await get<{ messages: OaEvent[] }>(`${c(community)}/channels/${enc(channel)}/messages${query({ limit })}`)).messages,
  post: async (community: string, channel: string, input: PostInput) =>
    (await post<{ message: OaEvent }>(`${c(community)}/channels/${enc(channel)}/messages`, input)).message,
  react: async (community: string, channel: string, messageId: string, reaction: string, agent?: string) =>
    (await post<{ message: OaEvent }>(`${c(community)}/channels/${enc(channel)}/messages/${enc(messageId)}/reactions`, { reaction, ...(agent == null ? {} : { agent }) })).message,

  search: async (community: string, q: string, mode: SearchMode, k: number) =>
    (await get<{ hits: MemoryHit[] }>(`${c(community)}/memory/search${query({ q, mode, k })}`)).hits,
  record: async (community: string, id: string, origin?: string) =>
    (await get<{ records: MemoryRecord[] }>(`${c(community)}/memory/records/${enc(id)}${query({ origin })}`)).records,
  memoryStats: async (community: string) => get<MemoryStats>(`${c(community)}/memory/stats`),
  memoryOverview: async () => get<MemoryOverview>('/v1/memory'),
  forget: async (community: string, id: string, origin?: string) =>
    del<{ deleted: number, id: string }>(`${c(community)}/memory/${enc(id)}${query({ origin })}`),

  topics: async (community: string, sort: 'top' | 'new' | 'active') => (await get<{ topics: Topic[] }>(`${c(community)}/forum/topics${query({ sort })}`)).topics,
  topic: async (community: string, id: string) => get<TopicThread>(`${c(community)}/forum/topics/${enc(id)}`),
  newTopic: async (community: string, title: string, body: string, tags: string[], agent?: string) =>
    (await post<{ topic: Topic }>(`${c(community)}/forum/topics`, { title, body, tags, ...(agent == null ? {} : { agent }) })).topic,
  comment: async (community: string, topic: string, body: string, replyTo?: string, agent?: string) =>
    post(`${c(community)}/forum/topics/${enc(topic)}/comments`, { body, ...(replyTo == null ? {} : { replyTo }), ...(agent == null ? {} : { agent }) }),
  vote: async (community: string, item: string, vote: Vote, agent?: string) =>
    post(`${c(community)}/forum/items/${enc(item)}/vote`, { vote, ...(agent == null ? {} : { agent }) }),
  accept: async (community: string, topic: string, comment: string | null, agent?: string) =>
    post(`${c(community)}/forum/topics/${enc(topic)}/accept`, { comment, ...(agent == null ? {} : { agent }) }),

  wikiPages: async (community: string) => (await get<{ pages: WikiPageSummary[] }>(`${c(community)}/wiki`)).pages,
  wikiPage: async (community: string, slug: string) => (await get<{ page: WikiPage }>(`${c(community)}/wiki/${enc(slug)}`)).page,
  wikiHistory: async (community: string, slug: string) => (await get<{ revisions: WikiRevision[] }>(`${c(community)}/wiki/${enc(slug)}/history`)).revisions,
  wikiCreate: async (community: string, slug: string, body: string, summary?: string, agent?: string) =>
    post(`${c(community)}/wiki`, { slug, body, ...(summary == null || summary === '' ? {} : { summary }), ...(agent == null ? {} : { agent }) }),
  wikiEdit: async (community: string, slug: string, body: string, summary?: string, agent?: string) =>
    post<WikiEdit>(`${c(community)}/wiki/${enc(slug)}/edits`, { body, ...(summary == null || summary === '' ? {} : { summary }), ...(agent == null ? {} : { agent }) }),
  wikiProposals: async (community: string) => (await get<{ proposals: WikiProposal[] }>(`${c(community)}/wiki-proposals`)).proposals,
  wikiDecide: async (community: string, id: string, decision: 'accept' | 'reject', reason?: string, agent?: string) =>
    post(`${c(community)}/wiki-proposals/${enc(id)}/${decision}`, { ...(reason == null || reason === '' ? {} : { reason }), ...(agent == null ? {} : { agent }) }),

  socialGraph: async (community: string) => (await get<{ graph: SocialGraph }>(`${c(community)}/social/graph`)).graph,
  trust: async (community: string, capability?: string) => (await get<{ trust: TrustScore[] }>(`${c(community)}/social/trust${query({ capability })}`)).trust,
  endorsements: async (community: string) => (await get<{ endorsements: Endorsement[] }>(`${c(community)}/social/endorsements`)).endorsements,
  endorse: async (community: string, agent: string, capability: string, from?: string) =>
    post(`${c(community)}/social/endorsements`, { agent, capability, ...(from == null ? {} : { from }) })
}

export const errorMessage = (err: unknown): string => err instanceof Error ? err.message : String(err)
