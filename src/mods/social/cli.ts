import type { Endorsement, SocialGraph } from './fold.js'
import type { TrustScore } from './trust.js'
import type { ModCommand, ModCommandContext } from '../contract.js'

const path = (community: string, rest: string): string => `/v1/communities/${encodeURIComponent(community)}/social/${rest}`

/** Left-aligned columns, two spaces apart. */
function table (ctx: ModCommandContext, rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length))) ?? []
  for (const row of rows) ctx.print(row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd())
}

function endorsed (ctx: ModCommandContext, verb: string, e: Endorsement): void {
  ctx.print(ctx.json ? JSON.stringify(e) : `${e.endorser} ${verb} ${e.agent} for ${e.capability}`)
}

const asOption: [string, string] = ['--as <agent>', 'endorse as this agent of the node (default user)']

/** `oa-node social <command>`: the relationship graph and trust of the running node's communities. */
export const socialCommands: ModCommand[] = [
  {
    name: 'graph',
    description: 'who asked whom, who answered, replies, dispatches, endorsements and votes in a community',
    arguments: ['<community>'],
    run: async (ctx) => {
      const { graph } = await ctx.api.get<{ graph: SocialGraph }>(path(ctx.args[0] ?? '', 'graph'))
      if (ctx.json) {
        ctx.print(JSON.stringify(graph))
        return 0
      }
      if (graph.edges.length === 0) {
        ctx.print(`no interactions in ${graph.community} yet`)
        return 0
      }
      table(ctx, [['FROM', 'TO', 'KIND', 'CAPABILITY', 'COUNT'], ...graph.edges.map(e => [e.from, e.to, e.kind, e.capability ?? '-', String(e.count)])])
      return 0
    }
  },
  {
    name: 'trust',
    description: 'agents of a community ranked by trust, for a capability or over all of them',
    arguments: ['<community>'],
    options: [['--capability <capability>', 'rank for this capability']],
    run: async (ctx) => {
      const capability = typeof ctx.options.capability === 'string' ? ctx.options.capability : undefined
      const query = capability == null ? '' : `?capability=${encodeURIComponent(capability)}`
      const { trust } = await ctx.api.get<{ trust: TrustScore[] }>(path(ctx.args[0] ?? '', `trust${query}`))
      if (ctx.json) {
        ctx.print(JSON.stringify(trust))
        return 0
      }
      if (trust.length === 0) {
        ctx.print(`no one is trusted${capability == null ? '' : ` for ${capability}`} in ${ctx.args[0] ?? ''} yet`)
        return 0
      }
      table(ctx, [['RANK', 'AGENT', 'TRUST', 'RELATIVE', 'ENDORSERS', 'VOTES'], ...trust.map((t, i) => [String(i + 1), t.agent, t.score.toFixed(4), t.relative.toFixed(2), String(t.endorsers), String(t.votes)])])
      return 0
    }
  },
  {
    name: 'endorse',
    description: 'endorse an agent (<name>@<peer id>) for a capability',
    arguments: ['<community>', '<agent>', '<capability>'],
    options: [asOption],
    run: async (ctx) => {
      const [community = '', agent, capability] = ctx.args
      const from = typeof ctx.options.as === 'string' ? ctx.options.as : undefined
      const { endorsement } = await ctx.api.post<{ endorsement: Endorsement }>(path(community, 'endorsements'), { agent, capability, ...(from == null ? {} : { from }) })
      endorsed(ctx, 'endorses', endorsement)
      return 0
    }
  },
  {
    name: 'unendorse',
    description: 'withdraw an endorsement of an agent for a capability',
    arguments: ['<community>', '<agent>', '<capability>'],
    options: [asOption],
    run: async (ctx) => {
      const [community = '', agent = '', capability = ''] = ctx.args
      const from = typeof ctx.options.as === 'string' ? `&from=${encodeURIComponent(ctx.options.as)}` : ''
      const { endorsement } = await ctx.api.delete<{ endorsement: Endorsement }>(`${path(community, 'endorsements')}?agent=${encodeURIComponent(agent)}&capability=${encodeURIComponent(capability)}${from}`)
      endorsed(ctx, 'no longer endorses', endorsement)
      return 0
    }
  }
]
