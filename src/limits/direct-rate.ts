import { RateLimiter, RateLimitError } from '@libp2p/utils'
import { describeWindow, retrySeconds } from './window.js'
import type { LimitReason } from './refusals.js'
import type { RateLimitSetting } from '../config/schema.js'

/** A request this node will not serve now, and why. */
export interface LimitRefusal {
  reason: LimitReason
  /** Said to the caller: `rate limited: 10 requests per 10 s per peer; retry in 3 s`. */
  message: string
  /** When the caller may try again, when known. */
  retryInMs?: number
}

/**
 * Rate limits on inbound direct requests, with `@libp2p/utils`' RateLimiter: a window
 * of requests per sending peer, and one per addressed agent shared by all peers (it
 * bounds what a swarm of peer ids can make a language-model-backed agent spend).
 *
 * @example
 * ```ts
 * const rates = new DirectRateLimits({ perPeer: { points: 10, durationMs: 10_000 }, perAgent: { points: 60, durationMs: 10_000 } })
 * const refusal = rates.check('12D3KooW...', 'python_expert')
 * if (refusal != null) console.log(refusal.message)   // rate limited: 10 requests per 10 s per peer; retry in 3 s
 * ```
 */
export class DirectRateLimits {
  private readonly settings: { perPeer: RateLimitSetting, perAgent: RateLimitSetting }
  private readonly perPeer: RateLimiter
  private readonly perAgent: RateLimiter

  constructor (settings: { perPeer: RateLimitSetting, perAgent: RateLimitSetting }) {
    this.settings = settings
    this.perPeer = new RateLimiter({ points: settings.perPeer.points, duration: settings.perPeer.durationMs / 1000, keyPrefix: 'peer' })
    this.perAgent = new RateLimiter({ points: settings.perAgent.points, duration: settings.perAgent.durationMs / 1000, keyPrefix: 'agent' })
  }

  /** Takes one request from `peer`'s window; a refusal when it is spent. */
  checkPeer (peer: string): LimitRefusal | undefined {
    const { points, durationMs } = this.settings.perPeer
    const wait = consume(this.perPeer, peer)
    if (wait == null) return undefined
    return { reason: 'direct_peer_rate', retryInMs: wait, message: `rate limited: ${points} requests per ${describeWindow(durationMs)} per peer; retry in ${retrySeconds(wait)} s` }
  }

  /** Takes one request from `agent`'s window (shared by all peers); a refusal when it is spent. */
  checkAgent (agent: string): LimitRefusal | undefined {
    const { points, durationMs } = this.settings.perAgent
    const wait = consume(this.perAgent, agent)
    if (wait == null) return undefined
    return { reason: 'direct_agent_rate', retryInMs: wait, message: `rate limited: ${points} requests per ${describeWindow(durationMs)} to ${agent}, from all peers; retry in ${retrySeconds(wait)} s` }
  }
}

/** Milliseconds until the window has room again, or undefined when the point was taken. */
function consume (limiter: RateLimiter, key: string): number | undefined {
  try {
    limiter.consume(key)
    return undefined
  } catch (err) {
    if (err instanceof RateLimitError) return Math.max(err.msBeforeNext, 0)
    throw err
  }
}
