import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Envelope {
  id: string
  type: string
  community: string
  channel: string
  source: string
  target?: string
  replyTo?: string
  thread?: string
  timestamp: bigint
  payload: Uint8Array<ArrayBuffer>
  ttl: number
  signature: Uint8Array<ArrayBuffer>
  epoch: number
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(18)
          w.string(obj.type)
        }

        if ((obj.community != null && obj.community !== '')) {
          w.uint32(26)
          w.string(obj.community)
        }

        if ((obj.channel != null && obj.channel !== '')) {
          w.uint32(34)
          w.string(obj.channel)
        }

        if ((obj.source != null && obj.source !== '')) {
          w.uint32(42)
          w.string(obj.source)
        }

        if (obj.target != null) {
          w.uint32(50)
          w.string(obj.target)
        }

        if (obj.replyTo != null) {
          w.uint32(58)
          w.string(obj.replyTo)
        }

        if (obj.thread != null) {
          w.uint32(66)
          w.string(obj.thread)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(72)
          w.uint64(obj.timestamp)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.payload)
        }

        if ((obj.ttl != null && obj.ttl !== 0)) {
          w.uint32(88)
          w.uint32(obj.ttl)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.signature)
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(104)
          w.uint32(obj.epoch)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          type: '',
          community: '',
          channel: '',
          source: '',
          timestamp: 0n,
          payload: uint8ArrayAlloc(0),
          ttl: 0,
          signature: uint8ArrayAlloc(0),
          epoch: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.type = reader.string()
              break
            }
            case 3: {
              obj.community = reader.string()
              break
            }
            case 4: {
              obj.channel = reader.string()
              break
            }
            case 5: {
              obj.source = reader.string()
              break
            }
            case 6: {
              obj.target = reader.string()
              break
            }
            case 7: {
              obj.replyTo = reader.string()
              break
            }
            case 8: {
              obj.thread = reader.string()
              break
            }
            case 9: {
              obj.timestamp = reader.uint64()
              break
            }
            case 10: {
              obj.payload = reader.bytes()
              break
            }
            case 11: {
              obj.ttl = reader.uint32()
              break
            }
            case 12: {
              obj.signature = reader.bytes()
              break
            }
            case 13: {
              obj.epoch = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.community`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.channel`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.source`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.target`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.replyTo`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.thread`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.ttl`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EnvelopeIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface EnvelopeTypeFieldEvent {
    field: '$.type'
    value: string
  }

  export interface EnvelopeCommunityFieldEvent {
    field: '$.community'
    value: string
  }

  export interface EnvelopeChannelFieldEvent {
    field: '$.channel'
    value: string
  }

  export interface EnvelopeSourceFieldEvent {
    field: '$.source'
    value: string
  }

  export interface EnvelopeTargetFieldEvent {
    field: '$.target'
    value: string
  }

  export interface EnvelopeReplyToFieldEvent {
    field: '$.replyTo'
    value: string
  }

  export interface EnvelopeThreadFieldEvent {
    field: '$.thread'
    value: string
  }

  export interface EnvelopeTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export interface EnvelopePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeTtlFieldEvent {
    field: '$.ttl'
    value: number
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeIdFieldEvent | EnvelopeTypeFieldEvent | EnvelopeCommunityFieldEvent | EnvelopeChannelFieldEvent | EnvelopeSourceFieldEvent | EnvelopeTargetFieldEvent | EnvelopeReplyToFieldEvent | EnvelopeThreadFieldEvent | EnvelopeTimestampFieldEvent | EnvelopePayloadFieldEvent | EnvelopeTtlFieldEvent | EnvelopeSignatureFieldEvent | EnvelopeEpochFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface DirectResponse {
  status: DirectResponse.Status
  envelope?: Envelope
  error: string
}

export namespace DirectResponse {
  export enum Status {
    OK = 'OK',
    NO_SUCH_AGENT = 'NO_SUCH_AGENT',
    REJECTED = 'REJECTED',
    ERROR = 'ERROR'
  }

  enum __StatusValues {
    OK = 0,
    NO_SUCH_AGENT = 1,
    REJECTED = 2,
    ERROR = 3
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<DirectResponse>

  export const codec = (): Codec<DirectResponse> => {
    if (_codec == null) {
      _codec = message<DirectResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          DirectResponse.Status.codec().encode(obj.status, w)
        }

        if (obj.envelope != null) {
          w.uint32(18)
          Envelope.codec().encode(obj.envelope, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(26)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = DirectResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.envelope = Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelope
              })
              break
            }
            case 3: {
              obj.error = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: DirectResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield * Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelope`, {
                limits: opts.limits?.envelope
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DirectResponseStatusFieldEvent {
    field: '$.status'
    value: DirectResponse.Status
  }

  export interface DirectResponseEnvelopeIdFieldEvent {
    field: '$.envelope.id'
    value: string
  }

  export interface DirectResponseEnvelopeTypeFieldEvent {
    field: '$.envelope.type'
    value: string
  }

  export interface DirectResponseEnvelopeCommunityFieldEvent {
    field: '$.envelope.community'
    value: string
  }

  export interface DirectResponseEnvelopeChannelFieldEvent {
    field: '$.envelope.channel'
    value: string
  }

  export interface DirectResponseEnvelopeSourceFieldEvent {
    field: '$.envelope.source'
    value: string
  }

  export interface DirectResponseEnvelopeTargetFieldEvent {
    field: '$.envelope.target'
    value: string
  }

  export interface DirectResponseEnvelopeReplyToFieldEvent {
    field: '$.envelope.replyTo'
    value: string
  }

  export interface DirectResponseEnvelopeThreadFieldEvent {
    field: '$.envelope.thread'
    value: string
  }

  export interface DirectResponseEnvelopeTimestampFieldEvent {
    field: '$.envelope.timestamp'
    value: bigint
  }

  export interface DirectResponseEnvelopePayloadFieldEvent {
    field: '$.envelope.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseEnvelopeTtlFieldEvent {
    field: '$.envelope.ttl'
    value: number
  }

  export interface DirectResponseEnvelopeSignatureFieldEvent {
    field: '$.envelope.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseEnvelopeEpochFieldEvent {
    field: '$.envelope.epoch'
    value: number
  }

  export interface DirectResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<DirectResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): DirectResponse {
    return decodeMessage(buf, DirectResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): Generator<DirectResponseStatusFieldEvent | DirectResponseEnvelopeIdFieldEvent | DirectResponseEnvelopeTypeFieldEvent | DirectResponseEnvelopeCommunityFieldEvent | DirectResponseEnvelopeChannelFieldEvent | DirectResponseEnvelopeSourceFieldEvent | DirectResponseEnvelopeTargetFieldEvent | DirectResponseEnvelopeReplyToFieldEvent | DirectResponseEnvelopeThreadFieldEvent | DirectResponseEnvelopeTimestampFieldEvent | DirectResponseEnvelopePayloadFieldEvent | DirectResponseEnvelopeTtlFieldEvent | DirectResponseEnvelopeSignatureFieldEvent | DirectResponseEnvelopeEpochFieldEvent | DirectResponseErrorFieldEvent> {
    return streamMessage(buf, DirectResponse.codec(), opts)
  }
}

export interface HistoryRequest {
  community: string
  channel: string
  limit: number
  before: bigint
}

export namespace HistoryRequest {
  let _codec: Codec<HistoryRequest>

  export const codec = (): Codec<HistoryRequest> => {
    if (_codec == null) {
      _codec = message<HistoryRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.community != null && obj.community !== '')) {
          w.uint32(10)
          w.string(obj.community)
        }

        if ((obj.channel != null && obj.channel !== '')) {
          w.uint32(18)
          w.string(obj.channel)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(24)
          w.uint32(obj.limit)
        }

        if ((obj.before != null && obj.before !== 0n)) {
          w.uint32(32)
          w.uint64(obj.before)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          community: '',
          channel: '',
          limit: 0,
          before: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.community = reader.string()
              break
            }
            case 2: {
              obj.channel = reader.string()
              break
            }
            case 3: {
              obj.limit = reader.uint32()
              break
            }
            case 4: {
              obj.before = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.community`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.channel`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.before`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HistoryRequestCommunityFieldEvent {
    field: '$.community'
    value: string
  }

  export interface HistoryRequestChannelFieldEvent {
    field: '$.channel'
    value: string
  }

  export interface HistoryRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface HistoryRequestBeforeFieldEvent {
    field: '$.before'
    value: bigint
  }

  export function encode (obj: Partial<HistoryRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HistoryRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryRequest>): HistoryRequest {
    return decodeMessage(buf, HistoryRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryRequest>): Generator<HistoryRequestCommunityFieldEvent | HistoryRequestChannelFieldEvent | HistoryRequestLimitFieldEvent | HistoryRequestBeforeFieldEvent> {
    return streamMessage(buf, HistoryRequest.codec(), opts)
  }
}

export interface HistoryResponse {
  messages: Envelope[]
  done: boolean
  error: string
}

export namespace HistoryResponse {
  let _codec: Codec<HistoryResponse>

  export const codec = (): Codec<HistoryResponse> => {
    if (_codec == null) {
      _codec = message<HistoryResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.messages != null && obj.messages.length > 0) {
          for (const value of obj.messages) {
            w.uint32(10)
            Envelope.codec().encode(value, w)
          }
        }

        if ((obj.done != null && obj.done !== false)) {
          w.uint32(16)
          w.bool(obj.done)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(26)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          messages: [],
          done: false,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.messages != null && obj.messages.length === opts.limits.messages) {
                throw new MaxLengthError('Decode error - repeated field "messages" had too many elements')
              }

              obj.messages.push(Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.messages$
              }))
              break
            }
            case 2: {
              obj.done = reader.bool()
              break
            }
            case 3: {
              obj.error = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          messages: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.messages != null && obj.messages === opts.limits.messages) {
                throw new MaxLengthError('Streaming decode error - repeated field "messages" had too many elements')
              }

              for (const evt of Envelope.codec().stream(reader, reader.uint32(), `${prefix}.messages[]`, {
                limits: opts.limits?.messages$
              })) {
                yield {
                  ...evt,
                  index: obj.messages
                }
              }

              obj.messages++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.done`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HistoryResponseMessagesIdFieldEvent {
    field: '$.messages[].id'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesTypeFieldEvent {
    field: '$.messages[].type'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesCommunityFieldEvent {
    field: '$.messages[].community'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesChannelFieldEvent {
    field: '$.messages[].channel'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesSourceFieldEvent {
    field: '$.messages[].source'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesTargetFieldEvent {
    field: '$.messages[].target'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesReplyToFieldEvent {
    field: '$.messages[].replyTo'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesThreadFieldEvent {
    field: '$.messages[].thread'
    value: string
    index: number
  }

  export interface HistoryResponseMessagesTimestampFieldEvent {
    field: '$.messages[].timestamp'
    value: bigint
    index: number
  }

  export interface HistoryResponseMessagesPayloadFieldEvent {
    field: '$.messages[].payload'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HistoryResponseMessagesTtlFieldEvent {
    field: '$.messages[].ttl'
    value: number
    index: number
  }

  export interface HistoryResponseMessagesSignatureFieldEvent {
    field: '$.messages[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HistoryResponseMessagesEpochFieldEvent {
    field: '$.messages[].epoch'
    value: number
    index: number
  }

  export interface HistoryResponseDoneFieldEvent {
    field: '$.done'
    value: boolean
  }

  export interface HistoryResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<HistoryResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HistoryResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryResponse>): HistoryResponse {
    return decodeMessage(buf, HistoryResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryResponse>): Generator<HistoryResponseMessagesIdFieldEvent | HistoryResponseMessagesTypeFieldEvent | HistoryResponseMessagesCommunityFieldEvent | HistoryResponseMessagesChannelFieldEvent | HistoryResponseMessagesSourceFieldEvent | HistoryResponseMessagesTargetFieldEvent | HistoryResponseMessagesReplyToFieldEvent | HistoryResponseMessagesThreadFieldEvent | HistoryResponseMessagesTimestampFieldEvent | HistoryResponseMessagesPayloadFieldEvent | HistoryResponseMessagesTtlFieldEvent | HistoryResponseMessagesSignatureFieldEvent | HistoryResponseMessagesEpochFieldEvent | HistoryResponseDoneFieldEvent | HistoryResponseErrorFieldEvent> {
    return streamMessage(buf, HistoryResponse.codec(), opts)
  }
}
