import { checkDataDir } from '../node/check-data-dir.js'
import { clientDataDir } from './status.js'
import { fields, print, printJson } from './format.js'
import type { ClientFlags } from './status.js'

function verdict (problems: string[], summary: string): string[] {
  return problems.length === 0 ? [`ok, ${summary}`] : [`DAMAGED, ${summary}`, ...problems.map(p => `  ${p}`)]
}

/** The social mod's part, when the node runs that mod. */
function socialLine (part: unknown): Array<[string, string[]]> {
  if (part == null || typeof part !== 'object') return []
  const { present, exchanges, problems } = part as { present?: boolean, exchanges?: number, problems?: string[] }
  return [['social', present === true ? verdict(problems ?? [], `${exchanges ?? 0} direct exchange${exchanges === 1 ? '' : 's'}`) : ['absent']]]
}

/** The remote-agent gateway's token file, when it holds tokens or cannot be read. */
function agentTokensLine (part: unknown): Array<[string, string[]]> {
  if (part == null || typeof part !== 'object') return []
  const { tokens, problems } = part as { tokens?: number, problems?: string[] }
  if ((problems ?? []).length === 0 && (tokens ?? 0) === 0) return []
  return [['agent tokens', verdict(problems ?? [], `${tokens ?? 0} per-agent token${tokens === 1 ? '' : 's'}`)]]
}

/** The A2A gateway's part, when the node runs that mod. */
function a2aLine (part: unknown): Array<[string, string[]]> {
  if (part == null || typeof part !== 'object') return []
  const { present, tasks, problems } = part as { present?: boolean, tasks?: number, problems?: string[] }
  return [['a2a', present === true ? verdict(problems ?? [], `${tasks ?? 0} task${tasks === 1 ? '' : 's'}`) : ['absent (the A2A gateway was never used)']]]
}

/**
 * `oa-node check`: checks the files of a stopped node's data dir (identity key, channel
 * history, memory store, community files, memberships). Exit 0 when every part is sound, 1 when one is
 * damaged or the node is running.
 */
export async function checkCommand (flags: ClientFlags): Promise<number> {
  const report = await checkDataDir(clientDataDir(flags))
  if (flags.json === true) {
    printJson(report)
    return report.ok ? 0 : 1
  }
  const { identity, channels, memory, memberships } = report
  const trust = report.communities
  const held = trust.communities.map(c => `${c.name} (${c.policy}${c.role == null ? '' : `, ${c.role}`}${c.policy === 'private' ? `, key epochs ${c.keyEpochs.join(',') || 'none'} of ${c.epoch}` : ''})`).join('; ')
  const memoryLine = (m: typeof memory): string[] => {
    const communities = Object.entries(m.communities).map(([c, n]) => `${c} ${n}`).join(', ')
    return verdict(m.problems, `${m.records} record${m.records === 1 ? '' : 's'}${communities === '' ? '' : ` (${communities})`}${m.embedder == null ? '' : `, ${m.embedder} ${m.dimension ?? '?'}-d`}${m.store === 'lancedb' ? ', LanceDB store of release 0.1: it moves into SQLite at the next start' : ''}`)
  }
  print(fields([
    ['data dir', report.dataDir],
    ['identity', identity.present ? verdict(identity.problems, identity.peerId ?? 'unreadable') : ['absent (the node has never started)']],
    ['channels', channels.present ? verdict(channels.problems, `${channels.messages} message${channels.messages === 1 ? '' : 's'}`) : ['absent']],
    ['memory', memory.present ? memoryLine(memory) : ['absent (no memory store)']],
    ['communities', trust.communities.length === 0 && trust.problems.length === 0 ? ['none'] : [...verdict(trust.problems, held || 'none readable'), ...trust.notes.map(n => `  note: ${n}`)]],
    ['wiki', report.wiki?.present === true ? verdict(report.wiki.problems, `${report.wiki.operations} operation${report.wiki.operations === 1 ? '' : 's'}`) : ['absent']],
    ['forum', report.forum?.present === true ? verdict(report.forum.problems, `${report.forum.operations} operation${report.forum.operations === 1 ? '' : 's'}`) : ['absent']],
    ['memberships', memberships.present ? verdict(memberships.problems, memberships.problems.length > 0 ? 'unreadable' : `joined by name: ${memberships.joined.join(', ') || 'none'}; left: ${memberships.left.join(', ') || 'none'}`) : ['absent (nothing joined by name or left on a running node)']],
    ...socialLine(report.social),
    ...agentTokensLine((report as unknown as Record<string, unknown>).agentTokens),
    ...a2aLine(report.a2a),
    ['result', report.ok ? 'sound' : 'damaged: restore the damaged part from a backup, or move it away and let the node rebuild it from its peers']
  ]))
  return report.ok ? 0 : 1
}
