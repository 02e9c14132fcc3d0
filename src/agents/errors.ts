import { OaError } from '../errors.js'

/** `remember`/`recall` were called on a node without a memory service. */
export class MemoryNotConfiguredError extends OaError {
  override readonly name = 'MemoryNotConfiguredError'
  constructor () {
    super('memory_unavailable', 'memory service not configured: remember() and recall() need the node\'s memory service', { status: 503 })
  }
}

/** An agent module cannot be loaded or does not export an Agent class. */
export class AgentLoadError extends Error {
  override readonly name = 'AgentLoadError'
}

/** An agent's settings (`options` in config) are not valid for its type. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError'
}

/** `AgentRuntime.attach` refused an agent: `name_taken`, `not_running`, or `attach_failed` (its facades or card could not be set up). */
export class AgentAttachError extends OaError {
  override readonly name = 'AgentAttachError'
  constructor (code: 'name_taken' | 'not_running' | 'attach_failed', message: string) {
    super(code, message, { status: code === 'name_taken' ? 409 : code === 'not_running' ? 503 : 400 })
  }
}
