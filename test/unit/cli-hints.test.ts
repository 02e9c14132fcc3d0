import { describe, expect, it } from 'vitest'
import { commandLine, invocation } from '../../src/cli/invocation.js'
import { closest, unknownCommand } from '../../src/cli/suggest.js'

const COMMANDS = ['start', 'status', 'check', 'peers', 'post', 'tail', 'history', 'agents', 'ask', 'memory', 'community', 'demo', 'id', 'cluster', 'help']

describe('the command a hint prints', () => {
  it('is npx oa-node under npx and npm exec, oa-node otherwise', () => {
    // what npm 11 sets for `npx oa-node` and for `npm exec oa-node`
    expect(invocation({ npm_command: 'exec', npm_lifecycle_event: 'npx' })).toBe('npx oa-node')
    expect(invocation({ npm_command: 'exec' })).toBe('npx oa-node')
    expect(invocation({ npm_lifecycle_event: 'npx' })).toBe('npx oa-node')
    // `npm run <script>` that calls oa-node: the script names oa-node itself
    expect(invocation({ npm_command: 'run', npm_lifecycle_event: 'bench' })).toBe('oa-node')
    expect(invocation({})).toBe('oa-node')
    expect(commandLine('start --data-dir ./n1', {})).toBe('oa-node start --data-dir ./n1')
    expect(commandLine('start --data-dir ./n1', { npm_command: 'exec' })).toBe('npx oa-node start --data-dir ./n1')
  })
})

describe('did you mean', () => {
  it('suggests the nearest commands, as commander does for flags', () => {
    expect(closest('statuss', COMMANDS)).toEqual(['status'])
    expect(closest('stauts', COMMANDS)).toEqual(['status'])
    expect(closest('communty', COMMANDS)).toEqual(['community'])
    expect(closest('joi', ['create', 'invite', 'join', 'leave', 'list', 'members', 'remove'])).toEqual(['join'])
    // equally near: both, in order
    expect(closest('lst', ['lost', 'list'])).toEqual(['list', 'lost'])
    expect(closest('frobnicate', COMMANDS)).toEqual([])
    expect(closest('x', COMMANDS)).toEqual([])
  })

  it('names the mistyped command, and the group it was typed in', () => {
    expect(unknownCommand('statuss', COMMANDS)).toBe("unknown command 'statuss' (did you mean status?)")
    expect(unknownCommand('joi', ['create', 'join', 'leave'], 'community')).toBe("unknown command 'community joi' (did you mean community join?)")
    expect(unknownCommand('zzz', ['create', 'join'], 'community')).toBe("unknown command 'community zzz' (community commands: create, join)")
    expect(unknownCommand('frobnicate', ['start', 'status'])).toBe("unknown command 'frobnicate' (commands: start, status)")
  })
})
