import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkMemberships, membershipsFile, readMemberships, writeMemberships } from '../../src/communities/memberships.js'
import { tempDir } from '../helpers/tmp.js'

describe('the memberships file', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  it('is empty lists when absent, and reads back what was written, 0600, with no temporary file left', async () => {
    expect(await readMemberships(dir.path)).toEqual({ joined: [], left: [] })
    expect(await checkMemberships(dir.path)).toEqual({ present: false, joined: [], left: [], problems: [] })
    await writeMemberships(dir.path, { joined: ['lobby', 'devsupport'], left: ['vault'] })
    expect(await readMemberships(dir.path)).toEqual({ joined: ['devsupport', 'lobby'], left: ['vault'] })
    expect((await stat(membershipsFile(dir.path))).mode & 0o777).toBe(0o600)
    expect(await readdir(dir.path)).toEqual(['memberships.json'])
    expect(JSON.parse(await readFile(membershipsFile(dir.path), 'utf8'))).toEqual({ v: 1, joined: ['devsupport', 'lobby'], left: ['vault'] })
    expect(await checkMemberships(dir.path)).toEqual({ present: true, joined: ['devsupport', 'lobby'], left: ['vault'], problems: [] })
  })

  it.each([
    ['{"v":1,"joined":[', /memberships\.json: not readable JSON/],
    ['[]', /is not a JSON object/],
    ['{"v":2,"joined":[],"left":[]}', /version 2 is not one this node reads/],
    ['{"v":1,"joined":[],"left":[],"extra":1}', /unknown key "extra"/],
    ['{"v":1,"joined":"lobby","left":[]}', /"joined" is not a list of community names/],
    ['{"v":1,"joined":["Bad Name"],"left":[]}', /"joined" holds "Bad Name", which is not a community name/],
    ['{"v":1,"joined":[],"left":["a","a"]}', /"left" names a community twice/],
    ['{"v":1,"joined":["a"],"left":["a"]}', /names a both joined and left/]
  ])('names the damage of %s', async (text, problem) => {
    await writeFile(membershipsFile(dir.path), text)
    await expect(readMemberships(dir.path)).rejects.toThrow(problem)
    const check = await checkMemberships(dir.path)
    expect(check.present).toBe(true)
    expect(check.problems).toEqual([expect.stringMatching(problem)])
    expect(check.problems[0]).toContain(membershipsFile(dir.path))
  })
})
