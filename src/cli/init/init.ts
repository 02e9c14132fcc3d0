import { isAbsolute, relative, sep } from 'node:path'
import { PACKAGE_ROOT } from '../../version.js'
import { UsageError } from '../errors.js'
import { print, printJson } from '../format.js'
import { ScaffoldError, scaffoldProject } from './scaffold.js'

export interface InitFlags {
  agent?: string
  community?: string
  oaNode?: string
  json?: boolean
}

/** What each made file is, for the summary. */
function describe (file: string, agent: string, community: string, dependency: string): string {
  if (file === 'package.json') return `depends on oa-node (${dependency}); scripts start, test`
  if (file === 'node.yaml') return `a node in community ${community} that runs agent ${agent}`
  if (file === `agents/${agent}.js`) return 'the agent: answers from its FAQ, else from the community memory'
  if (file === `test/${agent}.test.js`) return 'starts a node in-process and asks the agent (node:test)'
  return ''
}

/** The folder as the user would type it in `cd`: the shorter of its relative and absolute paths. */
function cdPath (dir: string): string {
  const rel = relative(process.cwd(), dir)
  const shown = rel !== '' && !isAbsolute(rel) && rel.length < dir.length ? rel : dir
  return /^[\w./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`
}

/**
 * `oa-node init <dir>`: makes a project of your own agents in a new or empty folder,
 * depending on this oa-node, and prints what it made and the next commands.
 */
export async function initCommand (dir: string, flags: InitFlags): Promise<number> {
  let result
  try {
    result = await scaffoldProject({ dir, agent: flags.agent, community: flags.community, dependency: flags.oaNode })
  } catch (err) {
    if (err instanceof ScaffoldError) throw new UsageError(err.message)
    throw err
  }
  const { files, agent, community, dependency } = result
  const next = [
    `cd ${cdPath(result.dir)} && npm install && npm test`,
    'npx oa-node start --config node.yaml',
    `npx oa-node ask ${community}/${agent} "How do I join a community?"`
  ]
  if (flags.json === true) {
    printJson({ dir: result.dir, files, agent, community, dependency, next })
    return 0
  }
  const width = Math.max(...files.map(f => f.length))
  print(`Made an oa-node project in ${result.dir}:`)
  for (const file of files) print(`  ${file.padEnd(width)}  ${describe(file, agent, community, dependency)}`.trimEnd())
  if (flags.oaNode == null && PACKAGE_ROOT.split(sep).includes('node_modules')) {
    print(`(oa-node here is an installed copy, ${PACKAGE_ROOT}; --oa-node <clone or tarball> names another)`)
  }
  const notes = ['', 'runs the node; Ctrl-C stops it', 'in another terminal']
  const nextWidth = Math.max(...next.map(n => n.length))
  print('')
  print('Next:')
  next.forEach((command, i) => { print(`  ${command.padEnd(nextWidth)}  ${notes[i] === '' || notes[i] == null ? '' : `# ${notes[i]}`}`.trimEnd()) })
  print('npm test and npx oa-node run on the node on your PATH: Node.js 22.13 or newer.')
  return 0
}
