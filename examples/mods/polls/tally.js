import { POLL_CLOSE, POLL_CREATE, VOTE_CAST } from './events.js'

const peerOf = (source) => source.slice(source.lastIndexOf('@') + 1)

/**
 * The polls of one community, folded from their events in any order (history arrives
 * after live gossip, votes before the poll they name): each poll's view is worked out
 * from the events held when it is asked for.
 */
export class Tally {
  constructor () {
    /** poll id -> { create?, votes: Map<author, event>, close? } */
    this.polls = new Map()
    this.seen = new Set()
  }

  add (event) {
    if (this.seen.has(event.id)) return false
    this.seen.add(event.id)
    const id = event.type === POLL_CREATE ? event.id : event.payload.poll
    const poll = this.polls.get(id) ?? { votes: new Map() }
    this.polls.set(id, poll)
    if (event.type === POLL_CREATE) poll.create = event
    if (event.type === VOTE_CAST) {
      const held = poll.votes.get(event.source)
      if (held == null || held.timestamp < event.timestamp || (held.timestamp === event.timestamp && held.id < event.id)) poll.votes.set(event.source, event)
    }
    if (event.type === POLL_CLOSE && (poll.close == null || event.timestamp < poll.close.timestamp)) poll.close = event
    return true
  }

  /** The poll as the API and agents see it, or undefined when its creation is not held. */
  view (id) {
    const poll = this.polls.get(id)
    const create = poll?.create
    if (create == null) return undefined
    const author = peerOf(create.source)
    // only the author's node may close its poll
    const close = poll.close != null && peerOf(poll.close.source) === author ? poll.close : undefined
    const counts = create.payload.options.map(() => 0)
    let votes = 0
    for (const vote of poll.votes.values()) {
      if (close != null && vote.timestamp > close.timestamp) continue
      if (vote.payload.option >= counts.length) continue
      counts[vote.payload.option]++
      votes++
    }
    return {
      id,
      community: create.community,
      question: create.payload.question,
      options: create.payload.options.map((text, i) => ({ text, votes: counts[i] })),
      votes,
      author: create.source,
      createdAt: create.timestamp,
      closed: close != null,
      ...(close == null ? {} : { closedAt: close.timestamp })
    }
  }

  list () {
    return [...this.polls.keys()].map(id => this.view(id)).filter(v => v != null).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
  }
}
