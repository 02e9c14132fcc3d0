/**
 * Wire helpers: the protons codecs generated from protocols/*.proto, and the names of
 * every topic and stream protocol.
 *
 * @example
 * ```ts
 * import { channelTopic, Envelope } from 'oa-node'
 * const topic = channelTopic('devsupport', 'general')   // 'oa/1/devsupport/ch/general'
 * const bytes = Envelope.encode(envelope)
 * ```
 */
export { Envelope, DirectResponse, HistoryRequest, HistoryResponse } from './generated/event.js'
export * from './topics.js'
