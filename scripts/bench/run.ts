/**
 * Runs every benchmark, prints one table and writes bench/results/<date>.json.
 *
 *   npm run bench              # full
 *   npm run bench -- --quick   # for small machines
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PACKAGE_ROOT, VERSION } from '../../src/version.js'
import { benchChannels } from './channels.js'
import { benchDiscovery } from './discovery.js'
import { benchMemory } from './memory.js'
import { benchNet } from './net.js'
import { benchReplication } from './replication.js'
import { benchSoak } from './soak.js'
import { benchStore } from './store.js'
import { benchWritePath } from './write-path.js'
import { machine, printTable } from './util.js'
import type { Figure } from './util.js'

const quick = process.argv.includes('--quick')
process.stdout.write(`oa-node ${VERSION} benchmarks on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
const figures: Figure[] = [...await benchNet(quick), ...await benchChannels(quick), ...await benchDiscovery(quick), ...await benchMemory(), ...await benchStore(quick), ...await benchStore(quick, false, 'neural'), ...await benchWritePath(quick), ...await benchReplication(quick, 'lexical'), ...await benchReplication(quick, 'neural'), ...await benchSoak(quick)]
printTable(figures)
const dir = join(PACKAGE_ROOT, 'bench', 'results')
await mkdir(dir, { recursive: true })
const file = join(dir, `${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`)
await writeFile(file, `${JSON.stringify({ version: VERSION, machine: machine(), quick, date: new Date().toISOString(), figures }, null, 2)}\n`)
const summary = file.replace(/\.json$/, '.md')
const rows = figures.map(f => `| ${f.bench} | ${f.name} | ${Number.isFinite(f.value) ? f.value : 'n/a'} ${f.unit} | ${f.note ?? ''} |`)
await writeFile(summary, `# oa-node ${VERSION} benchmarks\n\n${machine()}${quick ? ', quick mode' : ''}, ${new Date().toISOString()}\n\n| bench | figure | value | note |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`)
process.stdout.write(`\nresults written to ${file} and ${summary}\n`)
