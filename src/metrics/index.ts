export { libp2pMetrics } from './libp2p-metrics.js'
export { OaMetrics } from './oa-metrics.js'
export { answerMetrics, METRICS_PATH } from './endpoint.js'
export { directoryBytes } from './store-size.js'
