import { cmp, peerOf } from './fold.js'
import type { Endorsement, ResolvedVote } from './fold.js'

/** The parameters of the trust computation (see docs/mods.md#social). */
export interface TrustParams {
  /** Share of a peer's trust passed along its endorsements and votes each step; the rest returns to the seed. */
  damping: number
  /** What one net up vote on an agent's item weighs, next to an endorsement (1). */
  voteWeight: number
  /** Most iterations of the power method. */
  maxIterations: number
  /** Stop once the peers' trust changes by less than this (L1) in one step. */
  tolerance: number
}

export const TRUST_DEFAULTS: TrustParams = { damping: 0.85, voteWeight: 0.25, maxIterations: 100, tolerance: 1e-12 }

/** The trust of one agent for a capability, as every replica holding the same events computes it. */
export interface TrustScore {
  agent: string
  /** The capability asked for; absent for trust over every capability. */
  capability?: string
  /** The share of the community's trust that flows to this agent (the scores of a community sum to at most 1). */
  score: number
  /** `score` divided by the highest score for this capability: 1 for the most trusted agent. */
  relative: number
  /** Distinct other peers whose agents endorse it (for this capability). */
  endorsers: number
  /** Net up votes on its items, counted once per other peer. */
  votes: number
}

interface Inputs {
  endorsements: Endorsement[]
  votes: ResolvedVote[]
}

/**
 * Trust per agent for a capability: EigenTrust over peers. Every peer is one voter,
 * whatever number of agents it hosts; a peer's agents' endorsements of an agent for the
 * capability (1 each) and net up votes on its items (`voteWeight` each, never below 0)
 * are the peer's local trust in that agent, and endorsements or votes for agents of the
 * peer's own node are left out. The peers' trust is the fixed point of
 * `t = (1 - d)·p + d·(Cᵀ t)` where a peer's trust is what flows to its agents, `p` is
 * uniform over the peers that trust someone or host a trusted agent, and a peer that trusts nobody gives its share back to `p`.
 * An agent's score is what flows to it. Inputs are sorted and sums run in one order, so
 * replicas holding the same events get the same numbers, to the bit.
 *
 * @example
 * ```ts
 * const ranked = computeTrust({ endorsements: fold.activeEndorsements(), votes: fold.resolvedVotes() }, 'milvus')
 * ranked[0]   // { agent: 'milvus_expert@12D3KooW...', capability: 'milvus', score: 0.41, relative: 1, endorsers: 3, votes: 0 }
 * ```
 */
export function computeTrust (inputs: Inputs, capability?: string, params: TrustParams = TRUST_DEFAULTS): TrustScore[] {
  // local trust, per voter peer and agent
  const endorsed = new Map<string, Set<string>>()
  for (const e of inputs.endorsements) {
    if (capability != null && e.capability !== capability) continue
    const voter = peerOf(e.endorser)
    if (voter === peerOf(e.agent)) continue
    const set = endorsed.get(voter) ?? new Set<string>()
    set.add(e.agent)
    endorsed.set(voter, set)
  }
  // the latest vote of a peer's agents on one item is that peer's vote
  const peerVotes = new Map<string, ResolvedVote>()
  for (const v of inputs.votes) {
    const voter = peerOf(v.voter)
    if (voter === peerOf(v.author)) continue
    const key = `${voter}\n${v.target}`
    const held = peerVotes.get(key)
    if (held == null || v.timestamp > held.timestamp || (v.timestamp === held.timestamp && v.id > held.id)) peerVotes.set(key, v)
  }
  const net = new Map<string, Map<string, number>>()
  for (const [key, v] of peerVotes) {
    const voter = key.slice(0, key.indexOf('\n'))
    const byAgent = net.get(voter) ?? new Map<string, number>()
    byAgent.set(v.author, (byAgent.get(v.author) ?? 0) + (v.vote === 'up' ? 1 : -1))
    net.set(voter, byAgent)
  }

  const voters = [...new Set([...endorsed.keys(), ...net.keys()])].sort(cmp)
  const weights = new Map<string, Array<{ agent: string, weight: number }>>()
  const agentSet = new Set<string>()
  for (const voter of voters) {
    const targets = new Set([...(endorsed.get(voter) ?? []), ...(net.get(voter)?.keys() ?? [])])
    const row: Array<{ agent: string, weight: number }> = []
    for (const agent of [...targets].sort(cmp)) {
      const weight = (endorsed.get(voter)?.has(agent) === true ? 1 : 0) + params.voteWeight * Math.max(0, net.get(voter)?.get(agent) ?? 0)
      if (weight > 0) {
        row.push({ agent, weight })
        agentSet.add(agent)
      }
    }
    if (row.length > 0) weights.set(voter, row)
  }
  const agents = [...agentSet].sort(cmp)
  if (agents.length === 0) return []
  // the seed: every peer that trusts someone or hosts a trusted agent, once
  const peers = [...new Set([...weights.keys(), ...agents.map(peerOf)])].sort(cmp)
  const index = new Map(peers.map((p, i) => [p, i]))
  const seed = 1 / peers.length
  let trust = peers.map(() => seed)

  const step = (t: number[]): { next: number[], flow: Map<string, number> } => {
    const flow = new Map<string, number>()
    let dangling = 0
    peers.forEach((peer, i) => {
      const row = weights.get(peer)
      const mass = t[i] ?? 0
      if (row == null) {
        dangling += mass
        return
      }
      const total = row.reduce((sum, r) => sum + r.weight, 0)
      for (const r of row) flow.set(r.agent, (flow.get(r.agent) ?? 0) + mass * r.weight / total)
    })
    const next = peers.map(() => (1 - params.damping) * seed + params.damping * dangling * seed)
    for (const agent of agents) {
      const i = index.get(peerOf(agent)) ?? 0
      next[i] = (next[i] ?? 0) + params.damping * (flow.get(agent) ?? 0)
    }
    return { next, flow }
  }

  for (let i = 0; i < params.maxIterations; i++) {
    const { next } = step(trust)
    const change = next.reduce((sum, v, j) => sum + Math.abs(v - (trust[j] ?? 0)), 0)
    trust = next
    if (change < params.tolerance) break
  }
  const inflow = step(trust).flow

  const scored = agents.map((agent) => {
    let endorsers = 0
    let votes = 0
    for (const voter of voters) {
      if (endorsed.get(voter)?.has(agent) === true) endorsers++
      votes += net.get(voter)?.get(agent) ?? 0
    }
    return { agent, score: inflow.get(agent) ?? 0, endorsers, votes }
  }).filter(s => s.score > 0)
  const top = scored.reduce((max, s) => Math.max(max, s.score), 0)
  return scored
    .map(s => ({ agent: s.agent, ...(capability == null ? {} : { capability }), score: s.score, relative: top > 0 ? s.score / top : 0, endorsers: s.endorsers, votes: s.votes }))
    .sort((a, b) => b.score - a.score || cmp(a.agent, b.agent))
}
