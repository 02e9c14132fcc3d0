import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NodeProcess } from '../helpers/cli.js'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0']
const C = 'devsupport'

interface PageJson { slug: string, title: string, head: string, revisions: number, protection: string, conflict: boolean, revision: { number: number, id: string, body: string, kind: string } }

describe('the wiki in node processes, through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: NodeProcess[] = []
  const dataDir = (name: string): string => join(dir.path, name)
  const wiki = async (node: string, ...args: string[]) => runCli(['wiki', ...args, '--data-dir', dataDir(node)])
  const json = async <T>(node: string, ...args: string[]): Promise<T> => {
    const out = await wiki(node, ...args, '--json')
    if (out.code !== 0) throw new Error(`wiki ${args.join(' ')} exited ${out.code}: ${out.stderr}`)
    return JSON.parse(out.stdout) as T
  }

  beforeAll(async () => {
    dir = await tempDir()
    const n1 = await startNodeProcess(['--community', C, '--data-dir', dataDir('n1'), ...LOOPBACK])
    nodes.push(n1)
    for (const name of ['n2', 'n3']) nodes.push(await startNodeProcess(['--community', C, '--data-dir', dataDir(name), '--bootstrap', n1.started.multiaddrs[0] ?? '', ...LOOPBACK]))
    await writeFile(join(dir.path, 'hnsw.md'), '# HNSW tuning\n\nRaise ef for recall.\n')
    await writeFile(join(dir.path, 'better.md'), '# HNSW tuning\n\nSet ef >= k; raise M for high-dimensional vectors.\n')
    await writeFile(join(dir.path, 'owner.md'), '# HNSW tuning\n\nSet ef >= k; raise M; rebuild after bulk loads.\n')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('create, a non-owner\'s edit as a proposal, accept, show, history, revert, list and protect', async () => {
    const created = await json<PageJson>('n1', 'create', C, 'hnsw-tuning', '--file', join(dir.path, 'hnsw.md'))
    expect(created).toMatchObject({ slug: 'hnsw-tuning', title: 'HNSW tuning', revisions: 1, protection: 'protected' })
    await waitFor('n2 holds the page', async () => (await wiki('n2', 'list', C)).stdout.includes('hnsw-tuning'))

    const edit = await wiki('n2', 'edit', C, 'hnsw-tuning', '--file', join(dir.path, 'better.md'))
    expect(edit.code).toBe(0)
    const proposal = /^proposal (\S+):/.exec(edit.stdout)?.[1]
    if (proposal == null) throw new Error(`edit printed no proposal id: ${edit.stdout}`)
    await waitFor('the owner lists the proposal', async () => (await wiki('n1', 'proposals', C, 'hnsw-tuning')).stdout.includes(`${proposal}  open`))
    const notOwner = await wiki('n3', 'accept', C, proposal)
    expect(notOwner.code).toBe(2)
    expect(notOwner.stderr).toContain('only the owner of page hnsw-tuning')

    const accepted = await wiki('n1', 'accept', C, proposal)
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toContain(`accepted ${proposal}: revision 2 of hnsw-tuning`)
    const shown = await waitFor('n3 shows the accepted text', async () => {
      const out = await wiki('n3', 'show', C, 'hnsw-tuning')
      return out.stdout.includes('raise M') ? out.stdout : undefined
    })
    expect(shown).toContain('hnsw-tuning: HNSW tuning (revision 2 of 2')
    const first = await json<PageJson>('n3', 'show', C, 'hnsw-tuning', '--revision', '1')
    expect(first.revision).toMatchObject({ number: 1, kind: 'create', body: '# HNSW tuning\n\nRaise ef for recall.\n' })

    const direct = await json<{ kind: string, revision: { number: number } }>('n1', 'edit', C, 'hnsw-tuning', '--file', join(dir.path, 'owner.md'))
    expect(direct).toMatchObject({ kind: 'revision', revision: { number: 3 } })
    const reverted = await wiki('n1', 'revert', C, 'hnsw-tuning', '1')
    expect(reverted.code).toBe(0)
    expect(reverted.stdout).toContain('reverted hnsw-tuning to revision 1: revision 4')
    const history = await waitFor('n3 holds four revisions', async () => {
      const revisions = await json<Array<{ number: number, kind: string, revertOf?: string }>>('n3', 'history', C, 'hnsw-tuning')
      return revisions.length === 4 ? revisions : undefined
    })
    expect(history.map(r => r.kind)).toEqual(['create', 'accept', 'edit', 'revert'])
    expect((await json<PageJson>('n3', 'show', C, 'hnsw-tuning')).revision.body).toBe('# HNSW tuning\n\nRaise ef for recall.\n')
    const text = await wiki('n3', 'history', C, 'hnsw-tuning')
    expect(text.stdout.split('\n').filter(Boolean)).toHaveLength(4)

    const second = await json<{ kind: string, proposal: { id: string } }>('n2', 'edit', C, 'hnsw-tuning', '--file', join(dir.path, 'better.md'), '--summary', 'again')
    expect(second.kind).toBe('proposal')
    await waitFor('the owner holds the second proposal', async () => (await json<Array<{ id: string }>>('n1', 'proposals', C)).some(p => p.id === second.proposal.id))
    const rejected = await wiki('n1', 'reject', C, second.proposal.id, '--reason', 'covered by revision 2')
    expect(rejected.stdout).toBe(`rejected ${second.proposal.id}\n`)
    const decided = await waitFor('n2 sees its proposal rejected', async () =>
      (await json<Array<{ id: string, status: string, reason?: string }>>('n2', 'proposals', C, 'hnsw-tuning')).find(p => p.id === second.proposal.id && p.status === 'rejected'))
    expect(decided.reason).toBe('covered by revision 2')

    const locked = await wiki('n1', 'protect', C, 'hnsw-tuning', 'locked')
    expect(locked.stdout).toContain('hnsw-tuning is locked')
    await waitFor('n2 sees the page locked', async () => (await wiki('n2', 'list', C)).stdout.includes('locked'))
    const refused = await wiki('n2', 'edit', C, 'hnsw-tuning', '--file', join(dir.path, 'better.md'))
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('page hnsw-tuning is locked')
    const pages = await json<Array<{ slug: string, revisions: number, protection: string }>>('n3', 'list', C)
    expect(pages).toEqual([expect.objectContaining({ slug: 'hnsw-tuning', revisions: 4, protection: 'locked' })])
  }, 180_000)

  it('refuses bad input with exit code 2, naming the problem', async () => {
    const badSlug = await wiki('n1', 'create', C, 'Bad Slug', '--file', join(dir.path, 'hnsw.md'))
    expect(badSlug.code).toBe(2)
    expect(badSlug.stderr).toContain('slug')
    const noFile = await wiki('n1', 'create', C, 'other', '--file', join(dir.path, 'missing.md'))
    expect(noFile.code).toBe(2)
    expect(noFile.stderr).toContain('cannot read --file')
    const big = join(dir.path, 'big.md')
    await writeFile(big, 'x'.repeat(256 * 1024 + 1))
    const tooBig = await wiki('n1', 'create', C, 'other', '--file', big)
    expect(tooBig.code).toBe(2)
    expect(tooBig.stderr).toContain('over the 262144-byte limit')
    const level = await wiki('n1', 'protect', C, 'hnsw-tuning', 'sealed')
    expect(level.code).toBe(2)
    expect(level.stderr).toContain('protection is open, protected, locked')
    const noPage = await wiki('n1', 'show', C, 'nope')
    expect(noPage.code).toBe(2)
    expect(noPage.stderr).toContain('no page nope in devsupport')
  })
})
