import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { ApiRequestError } from '../api/client.js'
import { ApiError, NodeNotRunningError } from '../api/errors.js'
import { ClusterStartError } from '../cluster/launcher.js'
import { CommunityError } from '../communities/errors.js'
import { ConfigError } from '../config/errors.js'
import { EndpointError } from '../endpoints/errors.js'
import { LOG_FORMATS, LOG_LEVELS } from '../config/schema.js'
import { DataDirError, IdentityError, ListenError } from '../node/errors.js'
import { VERSION } from '../version.js'
import { agentsCommand, askCommand } from './agents.js'
import { agentTokenCommand } from './agent-tokens.js'
import { checkCommand } from './check.js'
import { memoryMigrateCommand } from './migrate.js'
import { modelsListCommand, modelsPullCommand } from './models.js'
import { CATALOG, DEFAULT_REVISION } from '../models/catalog.js'
import { ChecksumError } from '../models/download.js'
import { HubError } from '../models/hub.js'
import { DEFAULT_MODEL, ModelManifestError } from '../models/manifest.js'
import { clusterCommand } from './cluster.js'
import { communityCreateCommand, communityInviteCommand, communityJoinCommand, communityLeaveCommand, communityListCommand, communityMembersCommand, communityRemoveCommand } from './community.js'
import { demoCommand } from './demo.js'
import { DemoPythonError } from './demo-python.js'
import { DetachError, startDetached } from './detach.js'
import { UsageError } from './errors.js'
import { collect } from './flags.js'
import { idCommand } from './id.js'
import { invocation } from './invocation.js'
import { initCommand } from './init/init.js'
import { addBuiltinCommands, addModCommands } from './mod-commands.js'
import { forumCommands } from '../mods/forum/cli.js'
import { a2aCommands } from '../mods/a2a/cli.js'
import { socialCommands } from '../mods/social/cli.js'
import { wikiCommands } from '../mods/wiki/cli.js'
import { IMPORT_HELP, memoryAddCommand, memoryDeleteCommand, memoryExportCommand, memoryImportCommand, memorySearchCommand, memoryStatsCommand } from './memory.js'
import { historyCommand, postCommand, tailCommand } from './messages.js'
import { startCommand } from './start.js'
import { studioCommand } from './studio.js'
import { swarmKeyGenerateCommand } from './swarm-key.js'
import { StopTimeoutError, stopCommand } from './stop.js'
import { clientDataDir, peersCommand, statusCommand } from './status.js'
import { unknownCommand } from './suggest.js'

/** Exit codes: 0 ok, 1 runtime failure, 2 bad input (command, flag, config). */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

function wholeNumber (value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number, got "${value}"`)
  return Number(value)
}

/** A command group (`memory`, `community`) names a mistyped subcommand and the closest ones, as the top level does. */
function suggestSubcommands (group: Command): Command {
  return group.on('command:*', (operands: string[]) => {
    throw new UsageError(unknownCommand(operands[0] ?? '', group.commands.map(c => c.name()), group.name()))
  })
}

/** The hint printed after a usage error. */
function usageHint (): string {
  return `(run ${invocation()} --help for usage)`
}

function addNodeOptions (cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML config file (see config/node.example.yaml)')
    .option('-d, --data-dir <dir>', 'data dir: identity, API files, stores (default ~/.oa-node)')
    .option('-l, --listen <multiaddr>', 'listen address, repeatable (default TCP 7700 and WS 7701 on all interfaces)', collect)
    .option('--announce <multiaddr>', 'address to announce instead of the listen addresses, repeatable', collect)
    .option('-b, --bootstrap <multiaddr>', 'peer to join through, /.../p2p/<peer id>, repeatable', collect)
    .option('--mdns', 'discover peers on the local network with mDNS')
    .option('--relay', 'offer a circuit relay to nodes behind NAT (for a publicly reachable node; limits in network.relay)')
    .option('--upnp', 'ask the router for a port mapping (UPnP / NAT-PMP)')
    .option('--swarm-key <file>', 'join only the private network of this swarm key file (oa-node swarm-key generate)')
    .option('--api-port <port>', 'control API port on 127.0.0.1 (default 7780; 0 = any free port)', wholeNumber)
    .option('--a2a-port <port>', 'serve the node\'s agents over A2A 1.0 on this port (0 = any free port; default: off)', wholeNumber)
    .option('--a2a-host <address>', 'address the A2A gateway listens on (default 127.0.0.1)')
    .option('--community <name>', 'community to join, repeatable', collect)
    .option('--join <invite>', 'join a community with an invite (oa-invite:...), repeatable', collect)
    .addOption(new Option('--memory <store>', 'memory store: embedded (default: SQLite in the data dir; also called sqlite) or milvus (MILVUS_ADDRESS)').choices(['embedded', 'sqlite', 'milvus']))
    .addOption(new Option('--embedder <name>', 'embedder: auto (default: the neural model when installed, else lexical), neural, lexical or openai').choices(['auto', 'neural', 'lexical', 'local', 'openai']))
    .option('--model-dir <dir>', 'where embedding models are (default ~/.oa-node/models; see oa-node models list)')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS))
    .addOption(new Option('--log-format <format>', 'log lines: text, json, or auto (text on a terminal, JSON otherwise)').choices(LOG_FORMATS))
    .option('-v, --verbose', 'show info and debug logs')
    .option('--json', 'print one JSON line with the peer id and multiaddrs instead of text')
    .option('--stop-on-stdin-close', 'stop when standard input closes (used by `cluster` for its child nodes)')
    .option('--detach', 'run in the background (output to <data dir>/node.log) once it has started; `stop` stops it')
}

/** Builds the CLI. `setCode` receives each command's exit code. */
export function buildProgram (setCode: (code: number) => void): Command {
  // the usage lines of the help show the command as the user runs it (`npx oa-node ...` under npx)
  const program = new Command(invocation())
    .description('A peer-to-peer node for communities of AI agents')
    .version(VERSION, '-V, --version')
    .showHelpAfterError(usageHint())
    .exitOverride()

  addNodeOptions(program.command('start', { isDefault: true }).description('run a node (the default command)'))
    .action(async (opts: Record<string, unknown>) => { setCode(opts.detach === true ? await startDetached(opts, process.argv.slice(2)) : await startCommand(opts)) })

  program.command('stop').description('stop the running node of a data dir (as Ctrl-C does) and wait until it has exited')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await stopCommand(opts)) })

  program.command('status').description('show the running node of a data dir')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await statusCommand(opts)) })

  program.command('check').description('check the files of a stopped node\'s data dir (identity, channel history, memory store)')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await checkCommand(opts)) })

  program.command('peers').description('list the peers the running node is connected to')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await peersCommand(opts)) })

  program.command('post').description('post a message to a channel of a community the node joined')
    .argument('<channel>', 'community/channel, e.g. devsupport/general')
    .argument('<text>', 'the message (mention agents with @name)')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--reply-to <id>', 'reply to this message (the reply joins its thread)')
    .option('--as <agent>', 'author name on this node (default user)')
    .option('--json', 'print the posted message as JSON')
    .action(async (ref: string, text: string, opts: Record<string, unknown>) => { setCode(await postCommand(ref, text, opts)) })

  program.command('tail').description('print the last messages of a channel, then new ones as they arrive (Ctrl-C stops)')
    .argument('<channel>', 'community/channel, e.g. devsupport/general')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('-n, --lines <n>', 'how many past messages to print first', wholeNumber, 10)
    .option('--json', 'print one JSON line per event')
    .action(async (ref: string, opts: Record<string, unknown>) => { setCode(await tailCommand(ref, opts)) })

  program.command('history').description('print the stored messages of a channel, oldest first')
    .argument('<channel>', 'community/channel, e.g. devsupport/general')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--limit <n>', 'how many of the latest messages (1-1000)', wholeNumber, 50)
    .option('--before <ms>', 'only messages before this time (ms since the epoch)', wholeNumber)
    .option('--json', 'print one JSON line per message')
    .action(async (ref: string, opts: Record<string, unknown>) => { setCode(await historyCommand(ref, opts)) })

  const agents = program.command('agents').description('list the agents of a community, found through the DHT; `agents token` issues per-agent tokens')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--community <name>', 'community (default: every community the node joined)')
    .option('--capability <name>', 'only agents offering this capability')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await agentsCommand(opts)) })
  agents.command('token').description('print a new token that lets a remote process register this one agent (WS /v1/agents/connect), or revoke it')
    .argument('<name>', 'the agent name the token may register')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--community <name>', 'the only community the agent may join with it')
    .option('--revoke', 'revoke the agent\'s token (and close the connections that use it)')
    .option('--json', 'print JSON')
    // `agents` has the same options: commander gives them to it, wherever they are written
    .action(async (name: string, _opts: unknown, cmd: Command) => { setCode(await agentTokenCommand(name, cmd.optsWithGlobals())) })

  program.command('ask').description('ask an agent on any node a question (direct request) and print its answer')
    .argument('<agent>', 'community/agent, e.g. devsupport/python_expert, or community/agent@peerId when several nodes have an agent of that name')
    .argument('<question>', 'the question')
    .option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
    .option('--timeout <seconds>', 'how long to wait for the answer', wholeNumber, 60)
    .option('--wait <seconds>', 'keep looking this long for an agent not found yet (its node has just started)', wholeNumber, 0)
    .option('--json', 'print the response event as JSON')
    .action(async (ref: string, question: string, opts: Record<string, unknown>) => { setCode(await askCommand(ref, question, opts)) })

  const memory = suggestSubcommands(program.command('memory').description('the shared semantic memory of the communities the node joined'))
  const dataDirOption = (cmd: Command): Command => cmd.option('-d, --data-dir <dir>', 'data dir of the node (default ~/.oa-node)')
  dataDirOption(memory.command('add').description('remember a text in a community')
    .argument('<community>').argument('<text>')
    .option('--kind <kind>', 'record kind (default expert_knowledge)')
    .option('--metadata <json>', 'a JSON object stored with the record')
    .option('--json', 'print the record as JSON'))
    .action(async (community: string, text: string, opts: Record<string, unknown>) => { setCode(await memoryAddCommand(community, text, opts)) })
  dataDirOption(memory.command('search').description('search a community\'s memory by meaning and words')
    .argument('<community>').argument('<query>')
    .addOption(new Option('--mode <mode>', 'search mode').choices(['hybrid', 'vector', 'text']).default('hybrid'))
    .option('-k, --k <n>', 'how many results (1-100)', wholeNumber, 5)
    .option('--kind <kind>', 'only this kind, repeatable', collect)
    .option('--json', 'one JSON line per hit: id, text, kind, score, scoreKind, similarity, metadata, ...'))
    .action(async (community: string, query: string, opts: Record<string, unknown>) => { setCode(await memorySearchCommand(community, query, opts)) })
  dataDirOption(memory.command('import').description('import a JSONL file, one {"text", "kind"?, "metadata"?, "id"?} per line; importing it again adds nothing')
    .argument('<community>').argument('<file>')
    .option('--kind <kind>', 'kind for lines that name none (default expert_knowledge)')
    .option('--agent <name>', 'write the records as this agent of the node (an expert of scope own draws on its own records)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', IMPORT_HELP))
    .action(async (community: string, file: string, opts: Record<string, unknown>) => { setCode(await memoryImportCommand(community, file, opts)) })
  dataDirOption(memory.command('export').description('print every record of a community as JSONL (import takes it back)')
    .argument('<community>'))
    .action(async (community: string, opts: Record<string, unknown>) => { setCode(await memoryExportCommand(community, opts)) })
  dataDirOption(memory.command('delete').description('delete one of this node\'s records from every replica of the community')
    .argument('<community>').argument('<id>')
    .option('--json', 'print the tombstone (id, origin, seq) as JSON'))
    .action(async (community: string, id: string, opts: Record<string, unknown>) => { setCode(await memoryDeleteCommand(community, id, opts)) })
  dataDirOption(memory.command('stats').description('records per community, kind and origin')
    .option('--community <name>', 'one community only')
    .option('--json', 'print JSON'))
    .action(async (opts: Record<string, unknown>) => { setCode(await memoryStatsCommand(opts)) })
  dataDirOption(memory.command('migrate').description('move a stopped node\'s memory from the LanceDB store of release 0.1 into the embedded SQLite store (a node does it at its first start; the old files stay)')
    .addOption(new Option('--to <store>', 'the store to move to (the only one: embedded, also called sqlite)').choices(['embedded', 'sqlite']))
    .option('--json', 'print the result as JSON'))
    .action(async (opts: Record<string, unknown>) => { setCode(await memoryMigrateCommand(opts)) })

  const community = suggestSubcommands(program.command('community').description('communities: join, leave and list them; create, invite, list members, remove'))
  dataDirOption(community.command('create').description('create a community with this node as its first admin; prints its id')
    .argument('<name>')
    .option('--private', 'members only: content sealed with the community key, members checked at every edge')
    .option('--open', 'anyone may join by name (as with --community)')
    .option('--json', 'print JSON'))
    .action(async (name: string, opts: Record<string, unknown>) => { setCode(await communityCreateCommand(name, opts)) })
  dataDirOption(community.command('invite').description('print a one-line invite (oa-invite:...)')
    .argument('<name>')
    .option('--for <peer id>', 'for this peer only (works while the admin is offline); without it, anyone with the invite may join')
    .addOption(new Option('--role <role>', 'role of whoever joins with it').choices(['member', 'reader', 'admin']).default('member'))
    .option('--expires <duration>', 'e.g. 7d, 12h: how long the invite (or, with --for, the membership) lasts')
    .option('--json', 'print JSON'))
    .action(async (name: string, opts: Record<string, unknown>) => { setCode(await communityInviteCommand(name, opts)) })
  dataDirOption(community.command('join').description('join a community by name (open) or with an invite, on a running node; joined again at every start')
    .argument('<name|invite>', 'a community name, or the oa-invite:... line')
    .option('--json', 'print JSON'))
    .action(async (target: string, opts: Record<string, unknown>) => { setCode(await communityJoinCommand(target, opts)) })
  dataDirOption(community.command('leave').description('leave a community on a running node; not joined at a start unless --community or the config names it')
    .argument('<name>')
    .option('--json', 'print JSON'))
    .action(async (name: string, opts: Record<string, unknown>) => { setCode(await communityLeaveCommand(name, opts)) })
  dataDirOption(community.command('list').description('the communities the running node is in: policy, role, channels, messages')
    .option('--json', 'one JSON line per community'))
    .action(async (opts: Record<string, unknown>) => { setCode(await communityListCommand(opts)) })
  dataDirOption(community.command('members').description('list the members of a community, admins first')
    .argument('<name>')
    .option('--json', 'one JSON line per member'))
    .action(async (name: string, opts: Record<string, unknown>) => { setCode(await communityMembersCommand(name, opts)) })
  dataDirOption(community.command('remove').description('remove a member (also one whose credential expired) and rotate the key: it can read nothing written after')
    .argument('<name>').argument('<peer id>')
    .option('--json', 'print JSON'))
    .action(async (name: string, peer: string, opts: Record<string, unknown>) => { setCode(await communityRemoveCommand(name, peer, opts)) })

  const models = suggestSubcommands(program.command('models').description('the embedding models the node can use: pull one from the hub, list those installed (no running node needed)'))
  models.command('pull').description(`download an embedding model from the Hugging Face hub into the model dir, checked and resumable (default ${DEFAULT_MODEL})`)
    .argument('[name]', `the model: ${CATALOG.map(m => `${m.name} (${m.description})`).join('; ')}`)
    .option('--model-dir <dir>', 'where models live (default OA_MODEL_DIR, else ~/.oa-node/models)')
    .option('--hub-url <url>', 'the hub or a mirror (default: HF_ENDPOINT, else https://huggingface.co)')
    .option('--revision <rev>', `branch, tag or commit of the model's repository (default ${DEFAULT_REVISION})`)
    .option('--force', 'download again even when the model is complete')
    .option('--json', 'print one JSON line with the result')
    .action(async (name: string | undefined, opts: Record<string, unknown>) => { setCode(await modelsPullCommand(name, opts)) })
  models.command('list').description('the installed models (name, dimension, pooling, size, source), broken ones with their problem, and the default')
    .option('--model-dir <dir>', 'where models live (default OA_MODEL_DIR, else ~/.oa-node/models)')
    .option('--verify', 'check every file\'s sha256 against the manifest (exit 1 when one differs)')
    .option('--json', 'print one JSON line')
    .action(async (opts: Record<string, unknown>) => { setCode(await modelsListCommand(opts)) })

  addBuiltinCommands(program, 'wiki', 'the wiki of a community: pages, revisions, proposals (owners edit, others propose)', wikiCommands, setCode, suggestSubcommands)
  addBuiltinCommands(program, 'forum', 'the forum of a community: topics, nested comments, votes, search by meaning', forumCommands, setCode, suggestSubcommands)
  addBuiltinCommands(program, 'a2a', 'external A2A agents hosted in the node\'s communities: add, list, remove', a2aCommands, setCode, suggestSubcommands)
  addBuiltinCommands(program, 'social', 'the relationship graph of a community, endorsements per capability, and the trust that ranks experts', socialCommands, setCode, suggestSubcommands)

  program.command('demo').description('the developer-support community: a coordinator and Python, Milvus and DevOps experts on 3 local nodes')
    .option('--ask <question>', 'ask this question and exit (repeatable) instead of the interactive prompt', collect)
    .option('-d, --data-dir <dir>', 'parent folder of the nodes\' data dirs (default: a temp folder, removed at exit)')
    .option('--json', 'print each question and the coordinator\'s reply as one JSON line')
    .option('-v, --verbose', 'show the nodes\' logs')
    .option('--python [interpreter]', 'run the experts in Python (examples/python/experts.py, the SDK installed in the interpreter; default python3)')
    .action(async (opts: Record<string, unknown>) => { setCode(await demoCommand(opts)) })

  program.command('init').description('make a project of your own agents in a new or empty folder: package.json, node.yaml, an agent, its test')
    .argument('<dir>', 'folder of the project (created when missing)')
    .option('--agent <name>', 'name of the agent (agents/<name>.js)', 'faq')
    .option('--community <name>', 'community the project\'s node joins', 'my-community')
    .option('--oa-node <spec>', 'the oa-node dependency: a clone\'s folder, a tarball from npm pack, or an npm spec (default: this oa-node\'s folder)')
    .option('--json', 'print what was made as JSON')
    .action(async (dir: string, opts: Record<string, unknown>) => { setCode(await initCommand(dir, opts)) })

  program.command('mcp').description('an MCP server over stdio for the running node (for Claude Desktop, Claude Code or any MCP client): channels, memory, agents, wiki and forum tools')
    .option('-d, --data-dir <dir>', 'data dir of the running node (default ~/.oa-node)')
    .action(async (opts: Record<string, unknown>) => {
      try {
        const { runMcpStdio } = await import('../gateway/mcp/stdio.js')
        await runMcpStdio(clientDataDir({ dataDir: typeof opts.dataDir === 'string' ? opts.dataDir : undefined }))
        setCode(0)
      } catch (err) {
        process.stderr.write(`oa-node mcp: ${(err as Error).message}\n`)
        setCode(2)
      }
    })

  program.command('studio').description('open the Studio (the web dashboard) of the running node of a data dir in a browser, signed in')
    .option('-d, --data-dir <dir>', 'data dir of the running node (default ~/.oa-node)')
    .option('--no-open', 'only print the one-time sign-in link')
    .option('--json', 'print the Studio address and the sign-in link as JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await studioCommand(opts)) })

  const swarmKey = suggestSubcommands(program.command('swarm-key').description('the key of a private network: only nodes with the same swarm key can connect'))
  swarmKey.command('generate').description('make a new swarm key (printed, or written with mode 0600 to --out, never over an existing file)')
    .option('-o, --out <file>', 'write the key to this file')
    .option('--json', 'print the file written as JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await swarmKeyGenerateCommand(opts)) })

  program.command('id').description('print the peer id of a data dir, without starting a node (creates the key on first use)')
    .option('-d, --data-dir <dir>', 'data dir (default ~/.oa-node)')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => { setCode(await idCommand(opts)) })

  program.command('cluster').description('run a local multi-node cluster of real node processes; Ctrl-C stops all')
    .option('-n, --nodes <n>', 'number of nodes', wholeNumber, 3)
    .option('-d, --data-dir <dir>', 'parent folder of the nodes\' data dirs (default: a temp folder, removed at stop)')
    .option('--base-port <port>', 'node i uses ports base+3i (TCP), +1 (WS), +2 (API); default: free ports', wholeNumber)
    .option('--community <name>', 'community every node joins, repeatable', collect)
    .option('-c, --config <file>', 'YAML config file for every node')
    .option('-v, --verbose', 'show the nodes\' info and debug logs')
    .addOption(new Option('--log-format <format>', 'the nodes\' log lines: text, json, or auto (text on a terminal, JSON otherwise)').choices(LOG_FORMATS))
    .option('--json', 'print the nodes as one JSON line')
    .action(async (opts: { nodes: number }) => { setCode(await clusterCommand(opts)) })

  return program
}

/** Prints an error the way a user should see it and returns the exit code. */
export function reportError (err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // commander has printed its message already
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK
    return EXIT_USAGE
  }
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`oa-node: ${message}\n`)
  if (err instanceof ConfigError || err instanceof UsageError) return EXIT_USAGE
  if (err instanceof CommunityError && err.code === 'bad_invite') return EXIT_USAGE
  if (err instanceof ApiRequestError && err.status >= 400 && err.status < 500) return EXIT_USAGE
  const known = [CommunityError, DataDirError, IdentityError, ListenError, NodeNotRunningError, ApiError, ApiRequestError, ClusterStartError, DetachError, StopTimeoutError, EndpointError, DemoPythonError, HubError, ChecksumError, ModelManifestError]
  if (verbose && err instanceof EndpointError && err.detail != null) process.stderr.write(`(the ${err.endpoint} client said: ${err.detail})\n`)
  if (verbose && err instanceof ClusterStartError && err.reason != null) process.stderr.write(`${err.output.join('\n')}\n`)
  if (verbose && !known.some(k => err instanceof k) && err instanceof Error && err.stack != null) process.stderr.write(`${err.stack}\n`)
  return EXIT_FAILURE
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and exits with its code.
 *
 * @example
 * ```ts
 * await main(['node', 'oa-node', 'status', '--data-dir', './n1'])
 * ```
 */
export async function main (argv: string[]): Promise<never> {
  let code = EXIT_OK
  const program = buildProgram((c) => { code = c })
  const first = argv[2]
  const known = [...new Set(program.commands.flatMap(c => [c.name(), ...c.aliases()]).concat(['help']))]
  try {
    // the commands of the running node's own mods (`oa-node polls create ...`)
    if (first != null && !first.startsWith('-') && !known.includes(first)) known.push(...await addModCommands(program, argv.slice(2), (c) => { code = c }, suggestSubcommands))
    // `start` is the default command: without this, a mistyped command would reach it as an argument
    if (first != null && !first.startsWith('-') && !known.includes(first)) throw new UsageError(unknownCommand(first, known))
    await program.parseAsync(argv)
  } catch (err) {
    code = reportError(err, argv.includes('--verbose') || argv.includes('-v'))
    if (err instanceof UsageError) process.stderr.write(`${usageHint()}\n`)
  }
  process.exit(code)
}
