import { ApiError } from '../api/errors.js'
import type { OaMetrics } from './oa-metrics.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Where the control API answers Prometheus scrapes. */
export const METRICS_PATH = '/metrics'

/**
 * Answers `GET /metrics` with the node's registry in the Prometheus text format.
 * ApiError when the method is not GET (405) or the node runs without metrics
 * (`api.metrics: false`, 404 `metrics_off`); the caller sends those as JSON.
 *
 * @example
 * ```ts
 * if (url.pathname === METRICS_PATH) await answerMetrics(req, res, node.metrics)
 * ```
 */
export async function answerMetrics (req: IncomingMessage, res: ServerResponse, metrics: OaMetrics | undefined): Promise<void> {
  if (metrics == null) throw new ApiError(404, 'metrics_off', 'this node runs without metrics (api.metrics: false in the config, or OA_API_METRICS=false)')
  if (req.method !== 'GET') throw new ApiError(405, 'method_not_allowed', `${req.method ?? ''} is not supported on ${METRICS_PATH}`)
  const text = await metrics.registry.metrics()
  res.writeHead(200, {
    'content-type': metrics.registry.contentType,
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}
