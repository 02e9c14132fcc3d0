import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { agentName, communityName } from '../../config/names.js'
import { writePrivateFile } from '../../files/private-files.js'
import { OaError } from '../../errors.js'
import { AGENT_TOKENS_FILE } from './constants.js'

/** What a per-agent token allows: registering that one agent name, in that community when one is set. */
export interface AgentTokenScope {
  agent: string
  community?: string
}

/** A token as the file keeps it: its digest, never the token. */
export interface AgentTokenEntry extends AgentTokenScope {
  sha256: string
  createdAt: number
}

const fileSchema = z.strictObject({
  version: z.literal(1),
  tokens: z.array(z.strictObject({ agent: agentName, community: communityName.optional(), sha256: z.string().regex(/^[0-9a-f]{64}$/), createdAt: z.number().int() }))
})

/** Tokens start with it, so a leaked one is recognisable (and they never look like the API token). */
const PREFIX = 'oaa_'

function digest (token: string): Buffer {
  return createHash('sha256').update(token).digest()
}

/**
 * The per-agent tokens of a data dir (`agent-tokens.json`, mode 0600): each lets a remote
 * process register one agent name over `WS /v1/agents/connect`, without the node's API
 * token. Only the SHA-256 digest of a token is stored; the file is read at every check, so
 * a token issued or revoked by `oa-node agents token` takes effect at once.
 *
 * @example
 * ```ts
 * const tokens = new AgentTokens('./n1')
 * const token = await tokens.issue({ agent: 'py_worker', community: 'devsupport' })
 * await tokens.verify(token)   // { agent: 'py_worker', community: 'devsupport' }
 * await tokens.revoke('py_worker')
 * ```
 */
export class AgentTokens {
  readonly path: string

  constructor (dataDir: string) {
    this.path = join(dataDir, AGENT_TOKENS_FILE)
  }

  /** Every token's scope and age, without digests. */
  async list (): Promise<Array<AgentTokenScope & { createdAt: number }>> {
    return (await this.read()).map(({ agent, community, createdAt }) => ({ agent, ...(community == null ? {} : { community }), createdAt }))
  }

  /** A new token for an agent name; the agent's previous token, if any, stops working. */
  async issue (scope: AgentTokenScope): Promise<string> {
    agentName.parse(scope.agent)
    if (scope.community != null) communityName.parse(scope.community)
    const token = `${PREFIX}${randomBytes(32).toString('hex')}`
    const entries = (await this.read()).filter(e => e.agent !== scope.agent)
    entries.push({ agent: scope.agent, ...(scope.community == null ? {} : { community: scope.community }), sha256: digest(token).toString('hex'), createdAt: Date.now() })
    await this.write(entries)
    return token
  }

  /** Revokes an agent's token; false when it had none. */
  async revoke (agent: string): Promise<boolean> {
    const entries = await this.read()
    const kept = entries.filter(e => e.agent !== agent)
    if (kept.length === entries.length) return false
    await this.write(kept)
    return true
  }

  /** The scope of a token, or undefined when it is not one of these (compared as digests, in constant time). */
  async verify (token: string): Promise<AgentTokenScope | undefined> {
    if (!token.startsWith(PREFIX)) return undefined
    const given = digest(token)
    let found: AgentTokenScope | undefined
    for (const entry of await this.read()) {
      if (timingSafeEqual(given, Buffer.from(entry.sha256, 'hex')) && found == null) found = { agent: entry.agent, ...(entry.community == null ? {} : { community: entry.community }) }
    }
    return found
  }

  private async read (): Promise<AgentTokenEntry[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (err) {
      throw new OaError('bad_token_file', `${this.path} is not JSON (${(err as Error).message}); remove it and issue the tokens again`, { status: 500 })
    }
    const parsed = fileSchema.safeParse(data)
    if (!parsed.success) throw new OaError('bad_token_file', `${this.path} is not a token file: ${parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { status: 500 })
    return parsed.data.tokens
  }

  private async write (tokens: AgentTokenEntry[]): Promise<void> {
    await writePrivateFile(this.path, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`)
  }
}
