import { OaError } from 'oa-node'
import { POLL_CLOSE, POLL_CREATE, VOTE_CAST } from './events.js'
import { Tally } from './tally.js'

const TYPES = new Set([POLL_CREATE, VOTE_CAST, POLL_CLOSE])

/**
 * The polls service: folds the poll events of every joined community (live gossip, this
 * node's own, and history backfilled from peers) and publishes new ones on the
 * community's polls channel through the channels mod, whose pipeline signs, seals (in
 * private communities) and checks them.
 */
export class PollsService {
  constructor (components, config) {
    this.components = components
    this.config = config
    this.tallies = new Map()
    this.onEvent = (evt) => { this.take(evt.detail.event) }
    this.onMembership = (evt) => { if (evt.detail.joined) this.open(evt.detail.community) }
  }

  get [Symbol.toStringTag] () { return 'polls' }

  async start () {}

  afterStart () {
    const channels = this.components.channels
    channels.addEventListener('event', this.onEvent)
    channels.addEventListener('membership', this.onMembership)
    for (const community of channels.communities()) this.open(community)
  }

  beforeStop () {
    this.components.channels.removeEventListener('event', this.onEvent)
    this.components.channels.removeEventListener('membership', this.onMembership)
  }

  async stop () {}

  /** Opens the polls channel of a community (which backfills it from peers) and folds what the node holds of it. */
  open (community) {
    const channels = this.components.channels
    channels.openChannel(community, this.config.channel)
    for (const event of channels.list(community, this.config.channel, { limit: 1000 })) this.take(event)
  }

  take (event) {
    if (!TYPES.has(event.type) || event.channel !== this.config.channel) return
    let tally = this.tallies.get(event.community)
    if (tally == null) {
      tally = new Tally()
      this.tallies.set(event.community, tally)
    }
    tally.add(event)
  }

  tally (community) {
    if (!this.components.channels.communities().includes(community)) throw new OaError('not_member', `this node has not joined community "${community}"`, { status: 404 })
    return this.tallies.get(community) ?? new Tally()
  }

  list (community) {
    return this.tally(community).list()
  }

  get (community, id) {
    const poll = this.tally(community).view(id)
    if (poll == null) throw new OaError('no_poll', `no poll ${id} in ${community}`, { status: 404 })
    return poll
  }

  async create (community, question, options, agent = 'user') {
    if (!Array.isArray(options) || options.length < 2 || options.length > this.config.maxOptions) {
      throw new OaError('bad_options', `a poll has 2 to ${this.config.maxOptions} options (got ${Array.isArray(options) ? options.length : 'none'})`)
    }
    const event = await this.publish(community, POLL_CREATE, { question, options }, agent)
    return this.get(community, event.id)
  }

  async vote (community, id, option, agent = 'user') {
    const poll = this.get(community, id)
    if (poll.closed) throw new OaError('poll_closed', `poll ${id} is closed`, { status: 409 })
    if (!Number.isInteger(option) || option < 0 || option >= poll.options.length) {
      throw new OaError('bad_option', `option must be 0 to ${poll.options.length - 1} for poll ${id}`)
    }
    await this.publish(community, VOTE_CAST, { poll: id, option }, agent)
    return this.get(community, id)
  }

  async close (community, id, agent = 'user') {
    const poll = this.get(community, id)
    if (poll.author.slice(poll.author.lastIndexOf('@') + 1) !== this.components.peerId.toString()) {
      throw new OaError('not_author', `poll ${id} was made on another node (${poll.author}); only that node may close it`, { status: 403 })
    }
    if (!poll.closed) await this.publish(community, POLL_CLOSE, { poll: id }, agent)
    return this.get(community, id)
  }

  async publish (community, type, payload, agent) {
    const event = await this.components.channels.publish({ community, channel: this.config.channel, type, payload, agent })
    this.take(event)
    return event
  }

  status () {
    const out = {}
    for (const [community, tally] of this.tallies) {
      const polls = tally.list()
      out[community] = { polls: polls.length, open: polls.filter(p => !p.closed).length }
    }
    return out
  }
}
