import type { ModCommand, ModCommandContext } from '../contract.js'
import type { CommentView, TopicThread, TopicView } from './views.js'
import type { SearchHitView } from './service.js'

const path = (community: string, ...rest: string[]): string => ['/v1/communities', community, 'forum', ...rest].map(encodeURIComponent).join('/').replace(/%2F/g, '/')

function line (topic: TopicView): string {
  const tags = topic.tags.length === 0 ? '' : `  [${topic.tags.join(', ')}]`
  return `${topic.id}  ${topic.deleted ? '(deleted)' : topic.title}  score ${topic.score}  ${topic.comments} comments${tags}`
}

function printComments (ctx: ModCommandContext, comments: CommentView[]): void {
  for (const c of comments) {
    const indent = '  '.repeat(c.depth)
    ctx.print(`${indent}${c.id}  ${c.author}  score ${c.score}${c.editedAt == null ? '' : '  (edited)'}`)
    ctx.print(`${indent}  ${c.deleted ? '(deleted)' : c.body.replace(/\n/g, `\n${indent}  `)}`)
    printComments(ctx, c.replies)
  }
}

const item = (ctx: ModCommandContext, value: TopicView | CommentView): void => {
  if (ctx.json) return ctx.print(JSON.stringify(value))
  ctx.print('title' in value ? line(value) : `${value.id}  ${value.deleted ? '(deleted)' : value.body}  score ${value.score}`)
}

const tagsOf = (value: unknown): string[] | undefined => Array.isArray(value) ? value.flatMap(v => String(v).split(',')).map(t => t.trim()).filter(t => t !== '') : undefined

/** `oa-node forum <command>`: the forum of the running node's communities. */
export const forumCommands: ModCommand[] = [
  {
    name: 'post',
    description: 'post a topic in a community; prints its id',
    arguments: ['<community>', '<title>'],
    options: [['--body <markdown>', 'the topic\'s body'], ['--tag <tag>', 'a tag (repeat it, or give several separated by commas)', 'repeat'], ['--as <agent>', 'post as this name (default user)']],
    run: async (ctx) => {
      const [community = '', title = ''] = ctx.args
      const { topic } = await ctx.api.post<{ topic: TopicView }>(path(community, 'topics'), { title, body: ctx.options.body ?? '', tags: tagsOf(ctx.options.tag) ?? [], ...(ctx.options.as == null ? {} : { agent: ctx.options.as }) })
      ctx.print(ctx.json ? JSON.stringify(topic) : topic.id)
      return 0
    }
  },
  {
    name: 'comment',
    description: 'comment on a topic (--reply-to <comment id> answers a comment); prints its id',
    arguments: ['<community>', '<topic>', '<body>'],
    options: [['--reply-to <comment>', 'the comment this answers'], ['--as <agent>', 'comment as this name (default user)']],
    run: async (ctx) => {
      const [community = '', topic = '', body = ''] = ctx.args
      const { comment } = await ctx.api.post<{ comment: CommentView }>(path(community, 'topics', topic, 'comments'), { body, ...(ctx.options.replyTo == null ? {} : { replyTo: ctx.options.replyTo }), ...(ctx.options.as == null ? {} : { agent: ctx.options.as }) })
      ctx.print(ctx.json ? JSON.stringify(comment) : comment.id)
      return 0
    }
  },
  {
    name: 'vote',
    description: 'vote on a topic or comment: up, down, or none to withdraw',
    arguments: ['<community>', '<id>', '<vote>'],
    options: [['--as <agent>', 'vote as this name (default user)']],
    run: async (ctx) => {
      const [community = '', id = '', vote = ''] = ctx.args
      if (!['up', 'down', 'none'].includes(vote)) {
        process.stderr.write(`oa-node: a vote is up, down or none, got "${vote}"\n`)
        return 2
      }
      const result = await ctx.api.post<{ id: string, score: number, vote: string }>(path(community, 'items', id, 'vote'), { vote, ...(ctx.options.as == null ? {} : { agent: ctx.options.as }) })
      ctx.print(ctx.json ? JSON.stringify(result) : `${result.id}  score ${result.score}  (your vote: ${result.vote})`)
      return 0
    }
  },
  {
    name: 'edit',
    description: 'edit a topic (title, body, tags) or a comment (body) you wrote',
    arguments: ['<community>', '<id>'],
    options: [['--title <title>', 'the new title'], ['--body <markdown>', 'the new body'], ['--tag <tag>', 'the new tags (repeat it)', 'repeat'], ['--as <agent>', 'the author\'s name (default user)']],
    run: async (ctx) => {
      const [community = '', id = ''] = ctx.args
      const tags = tagsOf(ctx.options.tag)
      const { item: edited } = await ctx.api.post<{ item: TopicView | CommentView }>(path(community, 'items', id, 'edit'), {
        ...(ctx.options.title == null ? {} : { title: ctx.options.title }),
        ...(ctx.options.body == null ? {} : { body: ctx.options.body }),
        ...(tags == null ? {} : { tags }),
        ...(ctx.options.as == null ? {} : { agent: ctx.options.as })
      })
      item(ctx, edited)
      return 0
    }
  },
  {
    name: 'accept',
    description: 'accept a comment as the answer of a topic you wrote (--none withdraws it)',
    arguments: ['<community>', '<topic>', '[comment]'],
    options: [['--none', 'withdraw the accepted answer'], ['--as <agent>', 'the topic author\'s name (default user)']],
    run: async (ctx) => {
      const [community = '', topic = '', comment] = ctx.args
      if ((comment == null) === (ctx.options.none !== true)) {
        process.stderr.write('oa-node: give the comment to accept, or --none to withdraw the accepted answer\n')
        return 2
      }
      const { topic: accepted } = await ctx.api.post<{ topic: TopicView }>(path(community, 'topics', topic, 'accept'), { comment: comment ?? null, ...(ctx.options.as == null ? {} : { agent: ctx.options.as }) })
      ctx.print(ctx.json ? JSON.stringify(accepted) : `${accepted.id}  accepted answer: ${accepted.accepted ?? 'none'}`)
      return 0
    }
  },
  {
    name: 'delete',
    description: 'delete a topic or comment you wrote (a tombstone stays)',
    arguments: ['<community>', '<id>'],
    options: [['--as <agent>', 'the author\'s name (default user)']],
    run: async (ctx) => {
      const [community = '', id = ''] = ctx.args
      const query = ctx.options.as == null ? '' : `?agent=${encodeURIComponent(ctx.options.as as string)}`
      const { item: deleted } = await ctx.api.delete<{ item: TopicView | CommentView }>(`${path(community, 'items', id)}${query}`)
      item(ctx, deleted)
      return 0
    }
  },
  {
    name: 'list',
    description: 'the topics of a community, sorted top, new or active',
    arguments: ['<community>'],
    options: [['--sort <order>', 'top, new (default) or active']],
    run: async (ctx) => {
      const sort = (ctx.options.sort as string | undefined) ?? 'new'
      const { topics } = await ctx.api.get<{ topics: TopicView[] }>(`${path(ctx.args[0] ?? '', 'topics')}?sort=${encodeURIComponent(sort)}`)
      if (ctx.json) ctx.print(JSON.stringify(topics))
      else if (topics.length === 0) ctx.print('no topics')
      else for (const topic of topics) ctx.print(line(topic))
      return 0
    }
  },
  {
    name: 'show',
    description: 'a topic with its nested comments and their scores',
    arguments: ['<community>', '<topic>'],
    run: async (ctx) => {
      const thread = await ctx.api.get<TopicThread>(path(ctx.args[0] ?? '', 'topics', ctx.args[1] ?? ''))
      if (ctx.json) {
        ctx.print(JSON.stringify(thread))
        return 0
      }
      ctx.print(line(thread.topic))
      ctx.print(`by ${thread.topic.author}${thread.topic.editedAt == null ? '' : '  (edited)'}`)
      if (thread.topic.body !== '') ctx.print(`\n${thread.topic.body}\n`)
      printComments(ctx, thread.comments)
      return 0
    }
  },
  {
    name: 'search',
    description: 'topics found by meaning, through memory',
    arguments: ['<community>', '<query>'],
    options: [['-k, --k <n>', 'how many topics (default 5)']],
    run: async (ctx) => {
      const k = ctx.options.k == null ? '' : `&k=${encodeURIComponent(ctx.options.k as string)}`
      const { hits } = await ctx.api.get<{ hits: SearchHitView[] }>(`${path(ctx.args[0] ?? '', 'search')}?q=${encodeURIComponent(ctx.args[1] ?? '')}${k}`)
      if (ctx.json) ctx.print(JSON.stringify(hits))
      else if (hits.length === 0) ctx.print('no topics found')
      else for (const hit of hits) ctx.print(`${hit.score.toFixed(3)}  ${line(hit.topic)}`)
      return 0
    }
  }
]
