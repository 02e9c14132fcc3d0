import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, runProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const ROOT = join(import.meta.dirname, '..', '..')
const ENV = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` }

interface PackageJson {
  version: string
  main: string
  types: string
  bin: Record<string, string>
  exports: Record<string, { types: string, import: string }>
  dependencies: Record<string, string>
}

/** Every .d.ts file under `dir`, as paths relative to it. */
async function declarationFiles (dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name)
    if (entry.isDirectory()) out.push(...await declarationFiles(dir, rel))
    else if (entry.name.endsWith('.d.ts')) out.push(rel)
  }
  return out
}

/** Packages a declaration file imports (statements only, not the examples in doc comments). */
function importedPackages (text: string): string[] {
  const specifiers = [
    ...[...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gm)].map(m => m[1] ?? ''),
    ...[...text.matchAll(/^(?!\s*(?:\*|\/\/)).*import\(['"]([^'"]+)['"]\)/gm)].map(m => m[1] ?? '')
  ]
  return specifiers
    .filter(s => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map(s => s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0] ?? s)
}

/** True when the installed package carries its own type declarations. */
/** The JavaScript entry files a package names (main, module, the exports' import and require targets). */
function entryFiles (pkg: { main?: string, module?: string, exports?: unknown }): string[] {
  const found = [pkg.main, pkg.module].filter((f): f is string => typeof f === 'string')
  const walk = (v: unknown): void => {
    if (typeof v === 'string') found.push(v)
    else if (v != null && typeof v === 'object') for (const x of Object.values(v)) walk(x)
  }
  walk(pkg.exports)
  return found.filter(f => /\.[cm]?js$/.test(f))
}

/** Whether TypeScript finds declarations for a package: named in package.json, or a .d.ts beside an entry file. */
function shipsTypes (name: string): boolean {
  const dir = join(ROOT, 'node_modules', name)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { types?: string, typings?: string, main?: string, module?: string, exports?: unknown }
  if (pkg.types != null || pkg.typings != null || JSON.stringify(pkg.exports ?? {}).includes('"types"') || existsSync(join(dir, 'index.d.ts'))) return true
  return entryFiles(pkg).some(f => existsSync(join(dir, f.replace(/\.([cm]?)js$/, '.d.$1ts'))))
}

describe('the package `npm pack` makes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let installed: string
  let pkg: PackageJson

  beforeAll(async () => {
    dir = await tempDir('oa-pack-')
    // --ignore-scripts: `prepare` would rebuild dist/ while other test files run it
    const packed = await runProcess('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], { cwd: ROOT, env: ENV, timeoutMs: 120_000 })
    if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.stderr}`)
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
    // laid out as an install would: <project>/node_modules/oa-node
    installed = join(dir.path, 'project', 'node_modules', 'oa-node')
    await mkdir(installed, { recursive: true })
    const untar = await runProcess('tar', ['-xzf', join(dir.path, filename), '-C', installed, '--strip-components=1'])
    if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`)
    pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as PackageJson
  })

  afterAll(async () => {
    await dir.cleanup()
  })

  it('holds the built code, the bin, the config, the protocols, the project template and the docs, and no sources or tests', async () => {
    const needed = [
      'bin/oa-node', 'bin/package.json',
      'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/cli/init/scaffold.js',
      'config/node.example.yaml', 'config/demo/node1.yaml',
      'protocols/event.proto', 'protocols/agents.proto', 'protocols/memory.proto', 'protocols/community.proto',
      'templates/project/agents/__AGENT__.js', 'templates/project/test/__AGENT__.test.js',
      'templates/project/node.yaml', 'templates/project/README.md', 'templates/project/gitignore',
      'docs/agents.md', 'README.md'
    ]
    for (const file of needed) expect(existsSync(join(installed, file)), file).toBe(true)
    for (const absent of ['src', 'test', 'scripts', 'dist/test', 'tsconfig.json']) expect(existsSync(join(installed, absent)), absent).toBe(false)
  })

  it('has every file its package.json names: main, types, exports, bin', () => {
    const named = [pkg.main, pkg.types, ...Object.values(pkg.exports).flatMap(e => [e.types, e.import]), ...Object.values(pkg.bin)]
    for (const file of named) expect(existsSync(join(installed, file)), file).toBe(true)
  })

  it('depends on every package its type declarations import, or on its @types package', async () => {
    const deps = new Set(Object.keys(pkg.dependencies))
    const missing = new Set<string>()
    for (const file of await declarationFiles(join(installed, 'dist'))) {
      for (const name of importedPackages(await readFile(join(installed, 'dist', file), 'utf8'))) {
        if (!deps.has(name)) missing.add(`${name} (imported by dist/${file})`)
        else if (!shipsTypes(name) && !deps.has(`@types/${name}`)) missing.add(`@types/${name} (for ${name}, imported by dist/${file})`)
      }
    }
    expect([...missing]).toEqual([])
  })

  it('runs as installed: `oa-node init` from the unpacked copy makes a project that depends on that copy', async () => {
    // the dependencies an install would bring: this checkout's
    await symlink(join(ROOT, 'node_modules'), join(installed, 'node_modules'), 'dir')
    const bin = join(installed, 'bin', 'oa-node')
    const version = await runCli(['--version'], { bin })
    expect(version.stdout.trim()).toBe(pkg.version)
    const project = join(dir.path, 'from-package')
    const r = await runCli(['init', project, '--agent', 'helpdesk', '--json'], { bin })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const made = JSON.parse(r.stdout) as { files: string[], dependency: string }
    expect(made.dependency).toBe(`file:${installed}`)
    expect(made.files).toEqual(['.gitignore', 'README.md', 'agents/helpdesk.js', 'node.yaml', 'package.json', 'test/helpdesk.test.js'])
    expect(await readFile(join(project, 'node.yaml'), 'utf8')).toMatch(/name: helpdesk\n\s+module: \.\/agents\/helpdesk\.js/)
    expect(await readFile(join(project, 'test', 'helpdesk.test.js'), 'utf8')).toContain("const AGENT = 'helpdesk'")
  })
})
