const path = (community, ...rest) => ['/v1/communities', community, 'polls', ...rest].map(encodeURIComponent).join('/').replace(/%2F/g, '/')

function show (ctx, poll) {
  if (ctx.json) return ctx.print(JSON.stringify(poll))
  ctx.print(`${poll.id}  ${poll.question}${poll.closed ? '  (closed)' : ''}`)
  poll.options.forEach((o, i) => { ctx.print(`  ${i}. ${o.text}: ${o.votes}`) })
}

/** `oa-node polls <command>`: the polls of the running node's communities. */
export const pollCommands = [
  {
    name: 'create',
    description: 'create a poll in a community; prints its id',
    arguments: ['<community>', '<question>', '<options...>'],
    run: async (ctx) => {
      const [community, question, ...options] = ctx.args
      const { poll } = await ctx.api.post(path(community), { question, options })
      show(ctx, poll)
    }
  },
  {
    name: 'vote',
    description: 'vote for an option (its number, from 0) of a poll',
    arguments: ['<community>', '<poll>', '<option>'],
    run: async (ctx) => {
      const [community, id, option] = ctx.args
      if (!/^\d+$/.test(option)) {
        ctx.print(`oa-node: option must be a number from 0, got "${option}"`)
        return 2
      }
      const { poll } = await ctx.api.post(path(community, id, 'votes'), { option: Number(option) })
      show(ctx, poll)
    }
  },
  {
    name: 'close',
    description: 'close a poll this node made: votes after it do not count',
    arguments: ['<community>', '<poll>'],
    run: async (ctx) => {
      const [community, id] = ctx.args
      const { poll } = await ctx.api.post(path(community, id, 'close'), {})
      show(ctx, poll)
    }
  },
  {
    name: 'list',
    description: 'the polls of a community and their votes',
    arguments: ['<community>'],
    run: async (ctx) => {
      const { polls } = await ctx.api.get(path(ctx.args[0]))
      for (const poll of polls) show(ctx, poll)
      if (!ctx.json && polls.length === 0) ctx.print('no polls')
    }
  }
]
