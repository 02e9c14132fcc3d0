import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const HOOK = pathToFileURL(join(import.meta.dirname, '..', 'fixtures', 'load-trace.mjs')).href

/** The modules an `oa-node start` process loaded from start to stop, one URL a line. */
async function modulesLoaded (args: string[]): Promise<string> {
  const dir = await tempDir('oa-lazy-')
  try {
    const trace = join(dir.path, 'loaded.txt')
    const node = await startNodeProcess(['--data-dir', join(dir.path, 'n1'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', ...args], { NODE_OPTIONS: `--import ${HOOK}`, LOAD_TRACE_FILE: trace })
    expect(await node.stop()).toBe(0)
    return readFileSync(trace, 'utf8')
  } finally {
    await dir.cleanup()
  }
}

/** Packages a node imports only when what needs them is used (docs/operations.md, memory of a node process). */
const ON_FIRST_USE = ['openai', '@a2a-js/sdk', 'express', '@libp2p/upnp-nat', '@modelcontextprotocol/sdk', 'onnxruntime-node', '@zilliz/milvus2-sdk-node']

describe('modules loaded on first use', () => {
  it('a node that uses neither a language model, A2A, UPnP, MCP, the neural model nor Milvus loads none of their packages', async () => {
    const loaded = await modulesLoaded([])
    // the trace saw the node itself
    expect(loaded).toContain('/node_modules/libp2p/')
    expect(loaded).toContain('/dist/src/cli/main.js')
    for (const pkg of ON_FIRST_USE) expect(loaded, pkg).not.toContain(`/node_modules/${pkg}/`)
  })

  it('the A2A gateway, once asked for, loads the A2A SDK and its HTTP server', async () => {
    const loaded = await modulesLoaded(['--a2a-port', '0'])
    expect(loaded).toContain('/node_modules/@a2a-js/sdk/')
    expect(loaded).toContain('/node_modules/express/')
    expect(loaded).not.toContain('/node_modules/openai/')
  })
})
