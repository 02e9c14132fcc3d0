import { spawn } from 'node:child_process'
import { ApiClient } from '../api/client.js'
import { print, printJson } from './format.js'
import { clientDataDir } from './status.js'

export interface StudioFlags {
  dataDir?: string
  /** false with --no-open: print the link only. */
  open?: boolean
  json?: boolean
}

/** What `POST /studio/codes` answers. */
interface SignInCode {
  code: string
  expiresAt: string
  url: string
}

/** The command that opens a URL in the user's browser: $BROWSER, else the platform's opener. */
function opener (url: string): { command: string, args: string[] } {
  const browser = process.env.BROWSER
  if (browser != null && browser.trim() !== '') return { command: browser, args: [url] }
  if (process.platform === 'darwin') return { command: 'open', args: [url] }
  if (process.platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] }
  return { command: 'xdg-open', args: [url] }
}

/** Starts the browser on the link; resolves with why it could not, or undefined. */
async function openInBrowser (url: string): Promise<string | undefined> {
  const { command, args } = opener(url)
  return await new Promise(resolve => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    child.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code === 'ENOENT' ? `${command} is not installed` : err.message) })
    child.once('spawn', () => {
      child.unref()
      resolve(undefined)
    })
  })
}

/**
 * `oa-node studio`: asks the running node of a data dir for a one-time sign-in code and
 * opens its Studio with it, signed in (`--no-open` prints the link only). The link works
 * once, for two minutes; the API token never goes into it.
 *
 * @example
 * ```ts
 * await studioCommand({ dataDir: './n1', open: false })
 * // Studio   http://127.0.0.1:7780/studio/
 * // sign in  http://127.0.0.1:7780/studio/sign-in?code=… (once, within 2 minutes)
 * ```
 */
export async function studioCommand (flags: StudioFlags): Promise<number> {
  const api = await ApiClient.fromDataDir(clientDataDir(flags))
  const signIn = await api.post<SignInCode>('/studio/codes', {})
  const studioUrl = `${api.info.url}/studio/`
  if (flags.json === true) {
    printJson({ studio: studioUrl, signIn: signIn.url, expiresAt: signIn.expiresAt })
  } else {
    print(`Studio   ${studioUrl}`)
    print(`sign in  ${signIn.url} (once, within 2 minutes)`)
  }
  if (flags.open === false) return 0
  const failure = await openInBrowser(signIn.url)
  if (failure != null) {
    process.stderr.write(`oa-node studio: could not open a browser (${failure}); open the sign-in link above\n`)
    return 0
  }
  if (flags.json !== true) print('opened in your browser')
  return 0
}
