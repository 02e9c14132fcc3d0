import { readFile, stat } from 'node:fs/promises'
import { UsageError } from '../../cli/errors.js'
import { MAX_BODY_BYTES, PROTECTION_LEVELS } from './events.js'
import type { EditOutcome, PageSummary, PageView } from './service.js'
import type { Proposal, Revision } from './page-fold.js'
import type { ModCommand, ModCommandContext } from '../contract.js'

const path = (community: string, ...rest: string[]): string => ['/v1/communities', community, ...rest].map(encodeURIComponent).join('/').replace(/%2F/g, '/')

/** Reads `--file` here, in the CLI's process, and sends its text: at most the largest page body. */
async function bodyOf (ctx: ModCommandContext): Promise<string> {
  const file = ctx.options.file
  if (typeof file !== 'string') throw new UsageError('give the page\'s markdown with --file <path>')
  let size: number
  try {
    size = (await stat(file)).size
  } catch (err) {
    throw new UsageError(`cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  if (size > MAX_BODY_BYTES) throw new UsageError(`--file ${file} is ${size} bytes, over the ${MAX_BODY_BYTES}-byte limit of a page`)
  const text = await readFile(file, 'utf8')
  if (text.trim() === '') throw new UsageError(`--file ${file} is empty`)
  return text
}

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
const fileOption: [string, string] = ['--file <path>', 'the page\'s markdown (read by this command, sent to the node)']
const summaryOption: [string, string] = ['--summary <text>', 'what the change does']
const asOption: [string, string] = ['--as <agent>', 'author name on this node (default user)']

function as (ctx: ModCommandContext): { agent?: string, summary?: string } {
  return {
    ...(typeof ctx.options.as === 'string' ? { agent: ctx.options.as } : {}),
    ...(typeof ctx.options.summary === 'string' ? { summary: ctx.options.summary } : {})
  }
}

function printPage (ctx: ModCommandContext, page: PageView, withBody: boolean): void {
  if (ctx.json) return ctx.print(JSON.stringify(page))
  ctx.print(`${page.slug}: ${page.title} (revision ${page.revision.number} of ${page.revisions}, ${page.revision.id}, ${page.protection}, owner ${page.owner})`)
  if (page.conflict) ctx.print(`conflict: the page has ${page.leaves.length} leaf revisions (${page.leaves.join(', ')}); showing the latest, the next edit merges them`)
  if (page.revision.id !== page.head) ctx.print(`(an old revision; the head is ${page.head})`)
  if (withBody) ctx.print(`\n${page.revision.body}`)
}

const line = (p: Proposal & { slug?: string }): string => `${p.id}  ${p.status}  ${p.slug ?? ''}  ${p.author}  ${when(p.timestamp)}${p.summary == null ? '' : `  ${p.summary}`}`

/** `oa-node wiki <command>`: the wiki of a community, through the running node of a data dir. */
export const wikiCommands: ModCommand[] = [
  {
    name: 'create',
    description: 'create a page (this node owns it) from a markdown file',
    arguments: ['<community>', '<slug>'],
    options: [fileOption, summaryOption, asOption],
    run: async (ctx) => {
      const [community = '', slug = ''] = ctx.args
      const { page } = await ctx.api.post<{ page: PageView }>(path(community, 'wiki'), { slug, body: await bodyOf(ctx), ...as(ctx) })
      printPage(ctx, page, false)
      return 0
    }
  },
  {
    name: 'edit',
    description: 'edit a page: a new revision when this node may change it, otherwise a proposal to its owner (prints its id)',
    arguments: ['<community>', '<slug>'],
    options: [fileOption, summaryOption, asOption, ['--propose', 'propose even when this node may edit directly'], ['--direct', 'refuse rather than propose when this node may not edit directly']],
    run: async (ctx) => {
      const [community = '', slug = ''] = ctx.args
      const mode = ctx.options.direct === true ? 'direct' : ctx.options.propose === true ? 'propose' : 'auto'
      const out = await ctx.api.post<EditOutcome>(path(community, 'wiki', slug, 'edits'), { body: await bodyOf(ctx), mode, ...as(ctx) })
      if (ctx.json) ctx.print(JSON.stringify(out))
      else if (out.kind === 'proposal') ctx.print(`proposal ${out.proposal.id}: this node may not edit ${slug} directly; its owner accepts or rejects it`)
      else ctx.print(`revision ${out.revision.number} of ${slug}: ${out.revision.id}`)
      return 0
    }
  },
  {
    name: 'proposals',
    description: 'the proposals of a page (or of every page), open ones first',
    arguments: ['<community>', '[slug]'],
    run: async (ctx) => {
      const [community = '', slug] = ctx.args
      const { proposals } = await ctx.api.get<{ proposals: Array<Proposal & { slug: string }> }>(slug == null ? path(community, 'wiki-proposals') : path(community, 'wiki', slug, 'proposals'))
      if (ctx.json) ctx.print(JSON.stringify(proposals))
      else if (proposals.length === 0) ctx.print('no proposals')
      else for (const p of proposals) ctx.print(line(p))
      return 0
    }
  },
  {
    name: 'accept',
    description: 'accept a proposal of a page this node owns: a new revision with its text',
    arguments: ['<community>', '<proposal>'],
    options: [asOption],
    run: async (ctx) => {
      const [community = '', id = ''] = ctx.args
      const out = await ctx.api.post<{ revision: Revision, page: PageView }>(path(community, 'wiki-proposals', id, 'accept'), as(ctx))
      ctx.print(ctx.json ? JSON.stringify(out) : `accepted ${id}: revision ${out.revision.number} of ${out.page.slug} (${out.revision.id})`)
      return 0
    }
  },
  {
    name: 'reject',
    description: 'reject a proposal of a page this node owns',
    arguments: ['<community>', '<proposal>'],
    options: [['--reason <text>', 'why'], asOption],
    run: async (ctx) => {
      const [community = '', id = ''] = ctx.args
      const { proposal } = await ctx.api.post<{ proposal: Proposal }>(path(community, 'wiki-proposals', id, 'reject'), { ...(typeof ctx.options.as === 'string' ? { agent: ctx.options.as } : {}), ...(typeof ctx.options.reason === 'string' ? { reason: ctx.options.reason } : {}) })
      ctx.print(ctx.json ? JSON.stringify(proposal) : `rejected ${id}`)
      return 0
    }
  },
  {
    name: 'show',
    description: 'print a page at its head, or at --revision N (its number in the history, or its id)',
    arguments: ['<community>', '<slug>'],
    options: [['--revision <n>', 'a revision number (from 1) or id']],
    run: async (ctx) => {
      const [community = '', slug = ''] = ctx.args
      const revision = typeof ctx.options.revision === 'string' ? `?revision=${encodeURIComponent(ctx.options.revision)}` : ''
      const { page } = await ctx.api.get<{ page: PageView }>(`${path(community, 'wiki', slug)}${revision}`)
      printPage(ctx, page, true)
      return 0
    }
  },
  {
    name: 'history',
    description: 'the revisions of a page, oldest first',
    arguments: ['<community>', '<slug>'],
    run: async (ctx) => {
      const [community = '', slug = ''] = ctx.args
      const { revisions } = await ctx.api.get<{ revisions: Array<Omit<Revision, 'body'>> }>(path(community, 'wiki', slug, 'history'))
      if (ctx.json) ctx.print(JSON.stringify(revisions))
      else for (const r of revisions) ctx.print(`${r.number}  ${r.id}  ${r.kind}  ${r.author}  ${when(r.timestamp)}${r.summary == null ? '' : `  ${r.summary}`}`)
      return 0
    }
  },
  {
    name: 'revert',
    description: 'make a new revision of a page with the text of an old one (its number or id)',
    arguments: ['<community>', '<slug>', '<revision>'],
    options: [asOption],
    run: async (ctx) => {
      const [community = '', slug = '', revision = ''] = ctx.args
      const out = await ctx.api.post<{ revision: Revision, page: PageView }>(path(community, 'wiki', slug, 'revert'), { revision: /^\d+$/.test(revision) ? Number(revision) : revision, ...as(ctx) })
      ctx.print(ctx.json ? JSON.stringify(out) : `reverted ${slug} to revision ${revision}: revision ${out.revision.number} (${out.revision.id})`)
      return 0
    }
  },
  {
    name: 'list',
    description: 'the pages of a community',
    arguments: ['<community>'],
    run: async (ctx) => {
      const { pages } = await ctx.api.get<{ pages: PageSummary[] }>(path(ctx.args[0] ?? '', 'wiki'))
      if (ctx.json) ctx.print(JSON.stringify(pages))
      else if (pages.length === 0) ctx.print('no pages')
      else for (const p of pages) ctx.print(`${p.slug}  ${p.title}  ${p.revisions} revisions  ${p.protection}${p.conflict ? '  conflict' : ''}${p.openProposals > 0 ? `  ${p.openProposals} open proposals` : ''}`)
      return 0
    }
  },
  {
    name: 'protect',
    description: `set who may change a page this node owns: ${PROTECTION_LEVELS.join(', ')}`,
    arguments: ['<community>', '<slug>', '<level>'],
    options: [asOption],
    run: async (ctx) => {
      const [community = '', slug = '', level = ''] = ctx.args
      if (!(PROTECTION_LEVELS as readonly string[]).includes(level)) throw new UsageError(`protection is ${PROTECTION_LEVELS.join(', ')} (got "${level}")`)
      const { page } = await ctx.api.post<{ page: PageView }>(path(community, 'wiki', slug, 'protection'), { level, ...(typeof ctx.options.as === 'string' ? { agent: ctx.options.as } : {}) })
      ctx.print(ctx.json ? JSON.stringify(page) : `${slug} is ${page.protection}`)
      return 0
    }
  }
]
