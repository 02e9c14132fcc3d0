import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { flagsToLayer } from '../../src/cli/flags.js'
import { ConfigError, configFromEnv, loadConfig, loadConfigFile } from '../../src/config/index.js'
import { formatLogEntry, formatLogLine, relayLogLine, resolveLogFormat, useColor } from '../../src/log/index.js'
import { tempDir } from '../helpers/tmp.js'

const ISO = '2026-03-04T12:04:31.250Z'
/** The local wall-clock time of ISO, as Date prints it (independent of the formatter's own code). */
const LOCAL = new Date(ISO).toTimeString().slice(0, 8)

function pinoLine (fields: Record<string, unknown>): string {
  return `${JSON.stringify({ level: 30, time: ISO, pid: 4242, ...fields })}\n`
}

describe('text log lines', () => {
  it('turns a JSON entry into time, level, [name], message and key=value fields', () => {
    const line = pinoLine({ level: 40, node: 'node-2', attempt: 2, retryInMs: 2000, msg: 'cannot reach any bootstrap peer' })
    expect(formatLogLine(line)).toBe(`${LOCAL} WARN  [node-2] cannot reach any bootstrap peer attempt=2 retryInMs=2000`)
  })

  it('names every pino level in a column of five', () => {
    const labels = [10, 20, 30, 40, 50, 60].map(level => formatLogLine(pinoLine({ level, msg: 'm' })).slice(9, 15))
    expect(labels).toEqual(['TRACE ', 'DEBUG ', 'INFO  ', 'WARN  ', 'ERROR ', 'FATAL '])
    expect(formatLogLine(pinoLine({ level: 35, msg: 'm' }))).toBe(`${LOCAL} L35   m`)
  })

  it('leaves out pid and hostname, shows strings bare or quoted, other values as JSON', () => {
    const line = pinoLine({ hostname: 'box', peer: '12D3KooWabc', text: 'two words', empty: '', eq: 'a=b', n: 1.5, ok: false, none: null, list: ['a', 1], obj: { k: 'v' }, msg: 'fields' })
    expect(formatLogLine(line)).toBe(`${LOCAL} INFO  fields peer=12D3KooWabc text="two words" empty="" eq="a=b" n=1.5 ok=false none=null list=["a",1] obj={"k":"v"}`)
  })

  it('accepts a time in ms since the epoch, and shows a missing or bad one as dashes', () => {
    expect(formatLogEntry({ level: 30, time: Date.parse(ISO), msg: 'ms' })).toBe(`${LOCAL} INFO  ms`)
    expect(formatLogEntry({ level: 30, msg: 'no time' })).toBe('--:--:-- INFO  no time')
    expect(formatLogEntry({ level: 30, time: 'yesterday', msg: 'bad time' })).toBe('--:--:-- INFO  bad time')
  })

  it('shows an error by its message, and its stack only when verbose', () => {
    const err = { type: 'Error', message: 'database is locked', stack: 'Error: database is locked\n    at close (store.js:10:5)\n    at stop (node.js:20:7)' }
    const line = pinoLine({ level: 50, err, msg: 'error while stopping' })
    expect(formatLogLine(line)).toBe(`${LOCAL} ERROR error while stopping: database is locked`)
    expect(formatLogLine(line, { verbose: true })).toBe(`${LOCAL} ERROR error while stopping: database is locked\n    at close (store.js:10:5)\n    at stop (node.js:20:7)`)
    // log.error(err): pino uses the error's message as the line's message; it is not repeated
    expect(formatLogLine(pinoLine({ level: 50, err, msg: 'database is locked' }))).toBe(`${LOCAL} ERROR database is locked`)
  })

  it('escapes control characters, so a peer\'s text cannot break the line or drive the terminal', () => {
    const line = pinoLine({ level: 40, agent: 'x\u001b[2Jy', msg: 'first\nsecond \u009b31m' })
    const text = formatLogLine(line)
    expect(text).toBe(`${LOCAL} WARN  first\\u000asecond \\u009b31m agent="x\\u001b[2Jy"`)
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
  })

  it('colours the level only when asked', () => {
    const line = pinoLine({ level: 50, msg: 'boom' })
    expect(formatLogLine(line)).not.toContain('\u001b[')
    expect(formatLogLine(line, { color: true })).toBe(`\u001b[2m${LOCAL}\u001b[0m \u001b[31mERROR\u001b[0m boom`)
  })

  it('passes a line that is not a JSON object through, escaped', () => {
    expect(formatLogLine('  libp2p:tcp listening on 127.0.0.1\n')).toBe('  libp2p:tcp listening on 127.0.0.1')
    expect(formatLogLine('[1,2]', { name: 'node-1' })).toBe('[node-1] [1,2]')
    expect(formatLogLine('{not json', { name: 'node-1' })).toBe('[node-1] {not json')
  })
})

describe('cluster relay', () => {
  const line = pinoLine({ level: 40, msg: 'slow peer', peer: 'p1' })

  it('text: a line named after the node', () => {
    expect(relayLogLine('node-3', line, { format: 'text' })).toBe(`${LOCAL} WARN  [node-3] slow peer peer=p1`)
  })

  it('json: the same entry with its node, still one JSON object per line', () => {
    const out = relayLogLine('node-3', line, { format: 'json' })
    expect(out).not.toContain('\n')
    expect(JSON.parse(out)).toEqual({ level: 40, time: ISO, pid: 4242, msg: 'slow peer', peer: 'p1', node: 'node-3' })
    expect(relayLogLine('node-3', 'not a log entry', { format: 'json' })).toBe('[node-3] not a log entry')
  })
})

describe('log format choice', () => {
  it('auto is text on a terminal and JSON otherwise; text and json are forced', () => {
    expect(resolveLogFormat('auto', true)).toBe('text')
    expect(resolveLogFormat('auto', false)).toBe('json')
    expect(resolveLogFormat(undefined, undefined)).toBe('json')
    expect(resolveLogFormat('json', true)).toBe('json')
    expect(resolveLogFormat('text', false)).toBe('text')
  })

  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true)
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(useColor({ isTTY: false }, {})).toBe(false)
  })

  it('log.format comes from the file, OA_LOG_FORMAT and --log-format; defaults to auto', async () => {
    const dir = await tempDir()
    try {
      const file = join(dir.path, 'node.yaml')
      await writeFile(file, 'log:\n  format: text\n')
      expect((await loadConfig({})).log.format).toBe('auto')
      expect((await loadConfig({ file })).log.format).toBe('text')
      expect((await loadConfig({ file, env: { OA_LOG_FORMAT: 'json' } })).log.format).toBe('json')
      expect((await loadConfig({ file, env: { OA_LOG_FORMAT: 'json' }, flags: flagsToLayer({ logFormat: 'auto' }) })).log.format).toBe('auto')

      await writeFile(file, 'log:\n  format: pretty\n')
      await expect(loadConfigFile(file)).rejects.toThrow(ConfigError)
      await expect(loadConfigFile(file)).rejects.toThrow(`${file}: log.format: `)
    } finally {
      await dir.cleanup()
    }
  })

  it('an unknown format names where it was written', () => {
    expect(() => configFromEnv({ OA_LOG_FORMAT: 'xml' })).toThrow(/^OA_LOG_FORMAT: /)
    expect(() => flagsToLayer({ logFormat: 'xml' })).toThrow(/^--log-format: /)
  })
})
