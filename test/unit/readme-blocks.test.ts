import { describe, expect, it } from 'vitest'
import { shellBlocks } from '../helpers/readme.js'

describe('shellBlocks', () => {
  it('finds sh blocks in order with their section, marks and lines', () => {
    const md = [
      '# Title', '', '## Run', '```sh', 'echo one', '```', '',
      '<!-- readme-test: shown (it runs until Ctrl-C) -->', '```sh', 'tail -f x', '```',
      '<!-- readme-test: timeout=200 -->', '```bash', 'echo two', 'echo three', '```',
      '```yaml', 'a: 1', '```'
    ].join('\n')
    expect(shellBlocks(md)).toEqual([
      { line: 4, section: 'Run', script: 'echo one' },
      { line: 9, section: 'Run', script: 'tail -f x', shownBecause: 'it runs until Ctrl-C' },
      { line: 13, section: 'Run', script: 'echo two\necho three', timeoutS: 200 }
    ])
  })

  it('refuses a mark it does not know, so a typo does not silently skip a block', () => {
    expect(() => shellBlocks('<!-- readme-test: shwon -->\n```sh\necho\n```')).toThrow(/unknown readme-test mark/)
  })

  it('a mark applies only to the block right after it', () => {
    const blocks = shellBlocks('<!-- readme-test: shown (x) -->\n\nsome text\n```sh\necho\n```')
    expect(blocks[0]?.shownBecause).toBeUndefined()
  })
})
