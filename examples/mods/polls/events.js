import { z } from 'oa-node'

/** The event types the polls mod owns; each is a signed envelope on the community's `polls` channel. */
export const POLL_CREATE = 'polls.poll.create'
export const VOTE_CAST = 'polls.vote.cast'
export const POLL_CLOSE = 'polls.poll.close'

/** The most options a poll can have on the wire; `maxOptions` in the config may lower it. */
export const MAX_OPTIONS = 20

export const createPayload = z.strictObject({
  question: z.string().min(1).max(500),
  options: z.array(z.string().min(1).max(100)).min(2).max(MAX_OPTIONS)
})

export const votePayload = z.strictObject({
  poll: z.string().min(1).max(64),
  option: z.number().int().min(0).max(MAX_OPTIONS - 1)
})

export const closePayload = z.strictObject({
  poll: z.string().min(1).max(64)
})

/** The registry entries: the envelope pipeline checks each payload, and that its author may write to the community. */
export const POLL_EVENTS = [
  { type: POLL_CREATE, payload: createPayload, description: 'a poll: a question and its options' },
  { type: VOTE_CAST, payload: votePayload, description: 'a vote for one option of a poll; a later vote of the same author replaces it' },
  { type: POLL_CLOSE, payload: closePayload, description: 'the poll\'s author closes it; votes after it do not count' }
]
