/**
 * The shell blocks of a Markdown file, in order, for the README test. Every ```sh block
 * runs unless an HTML comment right before it says why it cannot:
 * `<!-- readme-test: shown (it runs until Ctrl-C) -->`. `<!-- readme-test: timeout=180 -->`
 * gives a block more time.
 */
export interface ShellBlock {
  /** 1-based line of the opening fence. */
  line: number
  /** The section heading the block is under. */
  section: string
  script: string
  /** Why the block is only shown, when it is. */
  shownBecause?: string
  timeoutS?: number
}

const FENCE = /^```(\w*)\s*$/
const MARK = /^<!--\s*readme-test:\s*(.*?)\s*-->\s*$/

/** Parses the ```sh / ```bash blocks of `markdown` with their readme-test marks. */
export function shellBlocks (markdown: string): ShellBlock[] {
  const lines = markdown.split('\n')
  const blocks: ShellBlock[] = []
  let section = ''
  let mark: string | undefined
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? ''
    if (text.startsWith('#')) section = text.replace(/^#+\s*/, '')
    const marked = MARK.exec(text)
    if (marked != null) {
      mark = marked[1]
      continue
    }
    const fence = FENCE.exec(text)
    if (fence == null) {
      if (text.trim() !== '') mark = undefined
      continue
    }
    const body: string[] = []
    let j = i + 1
    while (j < lines.length && !(lines[j] ?? '').startsWith('```')) body.push(lines[j++] ?? '')
    if (fence[1] === 'sh' || fence[1] === 'bash') {
      const block: ShellBlock = { line: i + 1, section, script: body.join('\n') }
      const shown = /^shown\s*\((.+)\)$/.exec(mark ?? '')
      if (shown != null) block.shownBecause = shown[1]
      const timeout = /timeout=(\d+)/.exec(mark ?? '')
      if (timeout != null) block.timeoutS = Number(timeout[1])
      if (mark != null && shown == null && timeout == null) throw new Error(`README line ${i}: unknown readme-test mark "${mark}"`)
      blocks.push(block)
    }
    mark = undefined
    i = j
  }
  return blocks
}
