import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
const C = 'devsupport'

interface TopicJson { id: string, title: string, body: string, tags: string[], score: number, comments: number, deleted: boolean }
interface CommentJson { id: string, depth: number, body: string, score: number, deleted: boolean, replies: CommentJson[] }

describe('the forum in node processes, through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: NodeProcess[] = []
  const dataDir = (name: string): string => join(dir.path, name)
  const forum = async (node: string, ...args: string[]) => runCli(['forum', ...args, '--data-dir', dataDir(node)])
  const json = async <T>(node: string, ...args: string[]): Promise<T> => {
    const out = await forum(node, ...args, '--json')
    if (out.code !== 0) throw new Error(`forum ${args.join(' ')} exited ${out.code}: ${out.stderr}`)
    return JSON.parse(out.stdout) as T
  }

  beforeAll(async () => {
    dir = await tempDir()
    const n1 = await startNodeProcess(['--community', C, '--data-dir', dataDir('n1'), ...LOOPBACK])
    nodes.push(n1)
    for (const name of ['n2', 'n3']) nodes.push(await startNodeProcess(['--community', C, '--data-dir', dataDir(name), '--bootstrap', n1.started.multiaddrs[0] ?? '', ...LOOPBACK]))
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('post, comment, reply, vote, edit, delete, list, show and search across three nodes', async () => {
    const posted = await forum('n1', 'post', C, 'HNSW or IVF_FLAT for 10M vectors?', '--body', 'Memory is tight.', '--tag', 'milvus', '--tag', 'index')
    expect(posted.code).toBe(0)
    const topic = posted.stdout.trim()
    expect(topic).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    await waitFor('n2 lists the topic', async () => (await forum('n2', 'list', C)).stdout.includes(topic))

    const answer = (await forum('n2', 'comment', C, topic, 'HNSW if memory allows')).stdout.trim()
    await waitFor('n3 holds the answer', async () => (await forum('n3', 'show', C, topic)).stdout.includes(answer))
    const reply = await json<CommentJson>('n3', 'comment', C, topic, 'How much memory?', '--reply-to', answer)
    expect(reply.depth).toBe(2)
    for (const node of ['n1', 'n3']) expect((await forum(node, 'vote', C, answer, 'up')).code).toBe(0)
    expect((await forum('n2', 'vote', C, topic, 'up')).code).toBe(0)

    const thread = await waitFor('n1 shows both votes and the reply', async () => {
      const t = await json<{ topic: TopicJson, comments: CommentJson[] }>('n1', 'show', C, topic)
      return t.comments[0]?.score === 2 && t.comments[0]?.replies.length === 1 && t.topic.score === 1 ? t : undefined
    })
    expect(thread.topic).toMatchObject({ title: 'HNSW or IVF_FLAT for 10M vectors?', tags: ['milvus', 'index'], comments: 2 })
    const text = await forum('n1', 'show', C, topic)
    expect(text.stdout).toContain('HNSW if memory allows')
    expect(text.stdout).toContain('    ' + reply.id)

    const notAuthor = await forum('n2', 'edit', C, topic, '--title', 'mine')
    expect(notAuthor.code).toBe(2)
    expect(notAuthor.stderr).toContain(`only the author of topic ${topic}`)
    const edited = await json<TopicJson>('n1', 'edit', C, topic, '--title', 'HNSW or IVF_FLAT for 10M 768-d vectors?')
    expect(edited.title).toBe('HNSW or IVF_FLAT for 10M 768-d vectors?')

    const second = (await forum('n3', 'post', C, 'Pods restart with OOMKilled', '--body', 'Since the last deploy.', '--tag', 'kubernetes')).stdout.trim()
    await waitFor('n1 lists both topics', async () => (await json<TopicJson[]>('n1', 'list', C)).length === 2)
    expect((await json<TopicJson[]>('n1', 'list', C, '--sort', 'top')).map(t => t.id)).toEqual([topic, second])
    expect((await json<TopicJson[]>('n1', 'list', C, '--sort', 'new')).map(t => t.id)).toEqual([second, topic])

    const found = await waitFor('n2 finds the topic by meaning', async () => {
      const hits = await json<Array<{ topic: TopicJson }>>('n2', 'search', C, 'which index for a large vector collection')
      return hits[0]?.topic.id === topic ? hits : undefined
    })
    expect(found[0]?.topic.title).toContain('HNSW')

    const deleted = await json<CommentJson>('n2', 'delete', C, answer)
    expect(deleted.deleted).toBe(true)
    await waitFor('n1 shows the answer deleted, its reply kept', async () => {
      const t = await json<{ comments: CommentJson[] }>('n1', 'show', C, topic)
      return t.comments[0]?.deleted === true && t.comments[0]?.replies[0]?.body === 'How much memory?'
    })
  })

  it('refuses bad input with exit code 2, naming the problem', async () => {
    const badVote = await forum('n1', 'vote', C, '01JABCDEFGHJKMNPQRSTVWXYZ0', 'sideways')
    expect(badVote.code).toBe(2)
    expect(badVote.stderr).toContain('up, down or none')
    const noItem = await forum('n1', 'vote', C, '01JABCDEFGHJKMNPQRSTVWXYZ0', 'up')
    expect(noItem.code).toBe(2)
    expect(noItem.stderr).toContain('no topic or comment')
    const badId = await forum('n1', 'show', C, 'nope')
    expect(badId.code).toBe(2)
    expect(badId.stderr).toContain('is not a topic id')
    const longTitle = await forum('n1', 'post', C, 'x'.repeat(301))
    expect(longTitle.code).toBe(2)
    expect(longTitle.stderr).toContain('at most 300 characters')
    const badSort = await forum('n1', 'list', C, '--sort', 'hot')
    expect(badSort.code).toBe(2)
    expect(badSort.stderr).toContain('sort must be one of top, new, active')
  })
})
