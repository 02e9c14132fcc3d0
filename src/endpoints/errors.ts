import { OaError } from '../errors.js'

/** The external services a node may use. */
export type EndpointKind = 'milvus' | 'embedder' | 'llm'

/** How each kind of endpoint is named in messages. */
export const ENDPOINT_LABEL: Record<EndpointKind, string> = {
  milvus: 'Milvus',
  embedder: 'the embeddings endpoint',
  llm: 'the language model'
}

export interface EndpointErrorInit {
  endpoint: EndpointKind
  /** Where the node looked for it: `host:port` or a URL. */
  address: string
  /** What went wrong, short: `connection refused`, `no answer within 10000 ms`, ... */
  reason: string
  /** True when nothing answered at all: the message says "cannot reach"; otherwise (an answer the node cannot use, a malformed address) "cannot use". */
  unreachable?: boolean
  /** Which setting to look at, said in brackets after the reason. */
  hint?: string
  /** The client library's own message, for `--verbose`. */
  detail?: string
}

/**
 * An external service the node uses (Milvus, the embeddings endpoint, the language model)
 * cannot be reached, or answers in a way the node cannot use. The message names the
 * endpoint, its address and the cause, on one line:
 * `cannot reach Milvus at 127.0.0.1:19530: connection refused (is it running? MILVUS_ADDRESS / memory.milvus.address)`.
 * The control API answers it with 503 `endpoint_unavailable`.
 *
 * @example
 * ```ts
 * try {
 *   await node.libp2p.services.memory.recall('devsupport', 'retry policy')
 * } catch (err) {
 *   if (err instanceof EndpointError) console.log(err.endpoint, err.address, err.reason)
 * }
 * ```
 */
export class EndpointError extends OaError {
  override readonly name = 'EndpointError'
  readonly endpoint: EndpointKind
  readonly address: string
  readonly reason: string
  readonly unreachable: boolean
  readonly hint?: string
  readonly detail?: string

  constructor (init: EndpointErrorInit) {
    // the node runs; this request cannot be served now
    super('endpoint_unavailable', `${init.unreachable === true ? 'cannot reach' : 'cannot use'} ${ENDPOINT_LABEL[init.endpoint]} at ${init.address}: ${init.reason}${init.hint == null ? '' : ` (${init.hint})`}`, {
      status: 503,
      details: { endpoint: init.endpoint, address: init.address }
    })
    this.endpoint = init.endpoint
    this.address = init.address
    this.reason = init.reason
    this.unreachable = init.unreachable === true
    this.hint = init.hint
    this.detail = init.detail
  }
}

/**
 * The same failure with another hint (what to do in the context where it is reported).
 *
 * @example
 * ```ts
 * throw withHint(err, 'unset MILVUS_ADDRESS to run the demo on its embedded store')
 * ```
 */
export function withHint (err: EndpointError, hint: string): EndpointError {
  return new EndpointError({ endpoint: err.endpoint, address: err.address, reason: err.reason, unreachable: err.unreachable, hint, detail: err.detail })
}
