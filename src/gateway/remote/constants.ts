/** Where a remote agent connects on its node's control API. */
export const REMOTE_AGENT_PATH = '/v1/agents/connect'

/** The subprotocol of version 1 of the remote-agent protocol; a client must offer it. */
export const REMOTE_AGENT_SUBPROTOCOL = 'oa-agent.v1'

/** The largest frame a client may send (a WebSocket message over it closes the connection with 1009). */
export const MAX_FRAME_BYTES = 1024 * 1024

/** Agents one connection may register. */
export const MAX_AGENTS_PER_CONNECTION = 16

/** Actions of one connection being carried out at once; one more is refused `busy`. */
export const MAX_ACTIONS_IN_FLIGHT = 64

/** A client this far behind on what the node sends is disconnected rather than buffered without bound. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

/** The file of the per-agent tokens in the data dir (their SHA-256 digests, never the tokens). */
export const AGENT_TOKENS_FILE = 'agent-tokens.json'

/** WebSocket close codes the gateway uses (4000-4999 are the application's). */
export const CLOSE_CODES = {
  /** The agent's token was revoked. */
  revoked: 4001,
  /** The client did not read what the node sent. */
  tooSlow: 1013,
  /** The node is stopping. */
  goingAway: 1001
} as const
