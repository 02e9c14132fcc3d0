import { TypedEventEmitter } from '@libp2p/interface'
import { ENDPOINT_LABEL, EndpointError } from './errors.js'
import type { EndpointKind } from './errors.js'

/** One endpoint as `GET /v1/status` reports it under `endpoints`. */
export interface EndpointStatus {
  endpoint: EndpointKind
  address: string
  /** `down` from the first failed call of an outage until a call succeeds again. */
  state: 'up' | 'down'
  /** Outages since the node started. */
  outages: number
  /** Calls that failed because of the endpoint, since the node started. */
  failures: number
  /** When the current outage began (ms since the epoch). */
  downSince?: number
  /** Why, during an outage. */
  reason?: string
}

/** The first failed call of an outage. */
export interface EndpointDown {
  endpoint: EndpointKind
  address: string
  reason: string
  /** One line for the log: `lost Milvus at 127.0.0.1:19530: connection refused; ...`. */
  message: string
}

/** The first call that succeeded after an outage. */
export interface EndpointUp {
  endpoint: EndpointKind
  address: string
  /** How long the outage lasted, in ms. */
  downForMs: number
  /** Calls that failed during it. */
  failures: number
  message: string
}

export interface EndpointHealthEvents {
  down: CustomEvent<EndpointDown>
  up: CustomEvent<EndpointUp>
}

/**
 * Whether an external endpoint answers, learned from the calls the node makes to it.
 * An `EndpointError` starts an outage (one `down` event, however many calls fail), the
 * next call that succeeds ends it (one `up` event). Other errors (a refusal the server
 * explained, bad input) change nothing.
 *
 * @example
 * ```ts
 * const health = new EndpointHealth('milvus', '127.0.0.1:19530', 'memory requests fail with 503 until it is back')
 * health.addEventListener('down', (evt) => { console.warn(evt.detail.message) })
 * const rows = await health.track(async () => store.query(...))
 * health.status() // { endpoint: 'milvus', address: '127.0.0.1:19530', state: 'up', outages: 0, failures: 0 }
 * ```
 */
export class EndpointHealth extends TypedEventEmitter<EndpointHealthEvents> {
  readonly endpoint: EndpointKind
  readonly address: string
  private readonly consequence: string
  private outages = 0
  private failures = 0
  private outageFailures = 0
  private downSince?: number
  private reason?: string

  /** `consequence`: what an outage means for the node's users, said in the `down` message. */
  constructor (endpoint: EndpointKind, address: string, consequence: string) {
    super()
    this.endpoint = endpoint
    this.address = address
    this.consequence = consequence
  }

  /** Runs one call to the endpoint and records how it went. */
  async track<T> (call: () => Promise<T>): Promise<T> {
    let result: T
    try {
      result = await call()
    } catch (err) {
      if (err instanceof EndpointError) this.failed(err)
      throw err
    }
    this.succeeded()
    return result
  }

  /** A call failed because of the endpoint. */
  failed (err: EndpointError): void {
    this.failures++
    this.outageFailures++
    this.reason = err.reason
    if (this.downSince != null) return
    this.downSince = Date.now()
    this.outages++
    const label = ENDPOINT_LABEL[this.endpoint]
    this.safeDispatchEvent('down', {
      detail: { endpoint: this.endpoint, address: this.address, reason: err.reason, message: `lost ${label} at ${this.address}: ${err.reason}; ${this.consequence}` }
    })
  }

  /** A call got an answer. */
  succeeded (): void {
    if (this.downSince == null) return
    const downForMs = Date.now() - this.downSince
    const failures = this.outageFailures
    this.downSince = undefined
    this.reason = undefined
    this.outageFailures = 0
    const label = ENDPOINT_LABEL[this.endpoint]
    this.safeDispatchEvent('up', {
      detail: { endpoint: this.endpoint, address: this.address, downForMs, failures, message: `${label.charAt(0).toUpperCase()}${label.slice(1)} at ${this.address} answers again after ${Math.round(downForMs / 1000)} s; ${failures} ${failures === 1 ? 'call' : 'calls'} failed meanwhile` }
    })
  }

  status (): EndpointStatus {
    return {
      endpoint: this.endpoint,
      address: this.address,
      state: this.downSince == null ? 'up' : 'down',
      outages: this.outages,
      failures: this.failures,
      ...(this.downSince == null ? {} : { downSince: this.downSince }),
      ...(this.reason == null ? {} : { reason: this.reason })
    }
  }
}
