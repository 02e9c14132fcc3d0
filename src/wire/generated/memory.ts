import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MemoryRecordWire {
  id: string
  community: string
  kind: string
  agent: string
  origin: string
  seq: bigint
  text: string
  metadata: string
  createdAt: bigint
  signature: Uint8Array<ArrayBuffer>
  deleted: boolean
  covers: SeqRange[]
  epoch: number
  sealed: Uint8Array<ArrayBuffer>
  vector: Uint8Array<ArrayBuffer>
  embedder: string
  dimension: number
  vectorSignature: Uint8Array<ArrayBuffer>
  signedVector?: SignedVector
}

export namespace MemoryRecordWire {
  let _codec: Codec<MemoryRecordWire>

  export const codec = (): Codec<MemoryRecordWire> => {
    if (_codec == null) {
      _codec = message<MemoryRecordWire>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.community != null && obj.community !== '')) {
          w.uint32(18)
          w.string(obj.community)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(26)
          w.string(obj.kind)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(34)
          w.string(obj.agent)
        }

        if ((obj.origin != null && obj.origin !== '')) {
          w.uint32(42)
          w.string(obj.origin)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(48)
          w.uint64(obj.seq)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(58)
          w.string(obj.text)
        }

        if ((obj.metadata != null && obj.metadata !== '')) {
          w.uint32(66)
          w.string(obj.metadata)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(72)
          w.uint64(obj.createdAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.signature)
        }

        if ((obj.deleted != null && obj.deleted !== false)) {
          w.uint32(88)
          w.bool(obj.deleted)
        }

        if (obj.covers != null && obj.covers.length > 0) {
          for (const value of obj.covers) {
            w.uint32(98)
            SeqRange.codec().encode(value, w)
          }
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(104)
          w.uint32(obj.epoch)
        }

        if ((obj.sealed != null && obj.sealed.byteLength > 0)) {
          w.uint32(114)
          w.bytes(obj.sealed)
        }

        if ((obj.vector != null && obj.vector.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.vector)
        }

        if ((obj.embedder != null && obj.embedder !== '')) {
          w.uint32(130)
          w.string(obj.embedder)
        }

        if ((obj.dimension != null && obj.dimension !== 0)) {
          w.uint32(136)
          w.uint32(obj.dimension)
        }

        if ((obj.vectorSignature != null && obj.vectorSignature.byteLength > 0)) {
          w.uint32(146)
          w.bytes(obj.vectorSignature)
        }

        if (obj.signedVector != null) {
          w.uint32(154)
          SignedVector.codec().encode(obj.signedVector, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          community: '',
          kind: '',
          agent: '',
          origin: '',
          seq: 0n,
          text: '',
          metadata: '',
          createdAt: 0n,
          signature: uint8ArrayAlloc(0),
          deleted: false,
          covers: [],
          epoch: 0,
          sealed: uint8ArrayAlloc(0),
          vector: uint8ArrayAlloc(0),
          embedder: '',
          dimension: 0,
          vectorSignature: uint8ArrayAlloc(0)
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
              obj.community = reader.string()
              break
            }
            case 3: {
              obj.kind = reader.string()
              break
            }
            case 4: {
              obj.agent = reader.string()
              break
            }
            case 5: {
              obj.origin = reader.string()
              break
            }
            case 6: {
              obj.seq = reader.uint64()
              break
            }
            case 7: {
              obj.text = reader.string()
              break
            }
            case 8: {
              obj.metadata = reader.string()
              break
            }
            case 9: {
              obj.createdAt = reader.uint64()
              break
            }
            case 10: {
              obj.signature = reader.bytes()
              break
            }
            case 11: {
              obj.deleted = reader.bool()
              break
            }
            case 12: {
              if (opts.limits?.covers != null && obj.covers.length === opts.limits.covers) {
                throw new MaxLengthError('Decode error - repeated field "covers" had too many elements')
              }

              obj.covers.push(SeqRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.covers$
              }))
              break
            }
            case 13: {
              obj.epoch = reader.uint32()
              break
            }
            case 14: {
              obj.sealed = reader.bytes()
              break
            }
            case 15: {
              obj.vector = reader.bytes()
              break
            }
            case 16: {
              obj.embedder = reader.string()
              break
            }
            case 17: {
              obj.dimension = reader.uint32()
              break
            }
            case 18: {
              obj.vectorSignature = reader.bytes()
              break
            }
            case 19: {
              obj.signedVector = SignedVector.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signedVector
              })
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
          covers: 0
        }

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
                field: `${prefix}.community`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.agent`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.origin`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.metadata`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.deleted`,
                value: reader.bool()
              }
              break
            }
            case 12: {
              if (opts.limits?.covers != null && obj.covers === opts.limits.covers) {
                throw new MaxLengthError('Streaming decode error - repeated field "covers" had too many elements')
              }

              for (const evt of SeqRange.codec().stream(reader, reader.uint32(), `${prefix}.covers[]`, {
                limits: opts.limits?.covers$
              })) {
                yield {
                  ...evt,
                  index: obj.covers
                }
              }

              obj.covers++

              break
            }
            case 13: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.sealed`,
                value: reader.bytes()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.vector`,
                value: reader.bytes()
              }
              break
            }
            case 16: {
              yield {
                field: `${prefix}.embedder`,
                value: reader.string()
              }
              break
            }
            case 17: {
              yield {
                field: `${prefix}.dimension`,
                value: reader.uint32()
              }
              break
            }
            case 18: {
              yield {
                field: `${prefix}.vectorSignature`,
                value: reader.bytes()
              }
              break
            }
            case 19: {
              yield * SignedVector.codec().stream(reader, reader.uint32(), `${prefix}.signedVector`, {
                limits: opts.limits?.signedVector
              })

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

  export interface MemoryRecordWireIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface MemoryRecordWireCommunityFieldEvent {
    field: '$.community'
    value: string
  }

  export interface MemoryRecordWireKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface MemoryRecordWireAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface MemoryRecordWireOriginFieldEvent {
    field: '$.origin'
    value: string
  }

  export interface MemoryRecordWireSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface MemoryRecordWireTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface MemoryRecordWireMetadataFieldEvent {
    field: '$.metadata'
    value: string
  }

  export interface MemoryRecordWireCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export interface MemoryRecordWireSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MemoryRecordWireDeletedFieldEvent {
    field: '$.deleted'
    value: boolean
  }

  export interface MemoryRecordWireCoversFirstFieldEvent {
    field: '$.covers[].first'
    value: bigint
    index: number
  }

  export interface MemoryRecordWireCoversLastFieldEvent {
    field: '$.covers[].last'
    value: bigint
    index: number
  }

  export interface MemoryRecordWireEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export interface MemoryRecordWireSealedFieldEvent {
    field: '$.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MemoryRecordWireVectorFieldEvent {
    field: '$.vector'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MemoryRecordWireEmbedderFieldEvent {
    field: '$.embedder'
    value: string
  }

  export interface MemoryRecordWireDimensionFieldEvent {
    field: '$.dimension'
    value: number
  }

  export interface MemoryRecordWireVectorSignatureFieldEvent {
    field: '$.vectorSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MemoryRecordWireSignedVectorEmbedderFieldEvent {
    field: '$.signedVector.embedder'
    value: string
  }

  export interface MemoryRecordWireSignedVectorDimensionFieldEvent {
    field: '$.signedVector.dimension'
    value: number
  }

  export interface MemoryRecordWireSignedVectorDigestFieldEvent {
    field: '$.signedVector.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MemoryRecordWire>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MemoryRecordWire.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemoryRecordWire>): MemoryRecordWire {
    return decodeMessage(buf, MemoryRecordWire.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemoryRecordWire>): Generator<MemoryRecordWireIdFieldEvent | MemoryRecordWireCommunityFieldEvent | MemoryRecordWireKindFieldEvent | MemoryRecordWireAgentFieldEvent | MemoryRecordWireOriginFieldEvent | MemoryRecordWireSeqFieldEvent | MemoryRecordWireTextFieldEvent | MemoryRecordWireMetadataFieldEvent | MemoryRecordWireCreatedAtFieldEvent | MemoryRecordWireSignatureFieldEvent | MemoryRecordWireDeletedFieldEvent | MemoryRecordWireCoversFirstFieldEvent | MemoryRecordWireCoversLastFieldEvent | MemoryRecordWireEpochFieldEvent | MemoryRecordWireSealedFieldEvent | MemoryRecordWireVectorFieldEvent | MemoryRecordWireEmbedderFieldEvent | MemoryRecordWireDimensionFieldEvent | MemoryRecordWireVectorSignatureFieldEvent | MemoryRecordWireSignedVectorEmbedderFieldEvent | MemoryRecordWireSignedVectorDimensionFieldEvent | MemoryRecordWireSignedVectorDigestFieldEvent> {
    return streamMessage(buf, MemoryRecordWire.codec(), opts)
  }
}

export interface SignedVector {
  embedder: string
  dimension: number
  digest: Uint8Array<ArrayBuffer>
}

export namespace SignedVector {
  let _codec: Codec<SignedVector>

  export const codec = (): Codec<SignedVector> => {
    if (_codec == null) {
      _codec = message<SignedVector>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.embedder != null && obj.embedder !== '')) {
          w.uint32(10)
          w.string(obj.embedder)
        }

        if ((obj.dimension != null && obj.dimension !== 0)) {
          w.uint32(16)
          w.uint32(obj.dimension)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          embedder: '',
          dimension: 0,
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.embedder = reader.string()
              break
            }
            case 2: {
              obj.dimension = reader.uint32()
              break
            }
            case 3: {
              obj.digest = reader.bytes()
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
                field: `${prefix}.embedder`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.dimension`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
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

  export interface SignedVectorEmbedderFieldEvent {
    field: '$.embedder'
    value: string
  }

  export interface SignedVectorDimensionFieldEvent {
    field: '$.dimension'
    value: number
  }

  export interface SignedVectorDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedVector>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedVector.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedVector>): SignedVector {
    return decodeMessage(buf, SignedVector.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedVector>): Generator<SignedVectorEmbedderFieldEvent | SignedVectorDimensionFieldEvent | SignedVectorDigestFieldEvent> {
    return streamMessage(buf, SignedVector.codec(), opts)
  }
}

export interface SeqRange {
  first: bigint
  last: bigint
}

export namespace SeqRange {
  let _codec: Codec<SeqRange>

  export const codec = (): Codec<SeqRange> => {
    if (_codec == null) {
      _codec = message<SeqRange>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.first != null && obj.first !== 0n)) {
          w.uint32(8)
          w.uint64(obj.first)
        }

        if ((obj.last != null && obj.last !== 0n)) {
          w.uint32(16)
          w.uint64(obj.last)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          first: 0n,
          last: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.first = reader.uint64()
              break
            }
            case 2: {
              obj.last = reader.uint64()
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
                field: `${prefix}.first`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.last`,
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

  export interface SeqRangeFirstFieldEvent {
    field: '$.first'
    value: bigint
  }

  export interface SeqRangeLastFieldEvent {
    field: '$.last'
    value: bigint
  }

  export function encode (obj: Partial<SeqRange>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SeqRange.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SeqRange>): SeqRange {
    return decodeMessage(buf, SeqRange.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SeqRange>): Generator<SeqRangeFirstFieldEvent | SeqRangeLastFieldEvent> {
    return streamMessage(buf, SeqRange.codec(), opts)
  }
}

export interface MemoryGossip {
  records: MemoryRecordWire[]
  notice: boolean
}

export namespace MemoryGossip {
  let _codec: Codec<MemoryGossip>

  export const codec = (): Codec<MemoryGossip> => {
    if (_codec == null) {
      _codec = message<MemoryGossip>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            MemoryRecordWire.codec().encode(value, w)
          }
        }

        if ((obj.notice != null && obj.notice !== false)) {
          w.uint32(16)
          w.bool(obj.notice)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          records: [],
          notice: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(MemoryRecordWire.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.records$
              }))
              break
            }
            case 2: {
              obj.notice = reader.bool()
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
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              for (const evt of MemoryRecordWire.codec().stream(reader, reader.uint32(), `${prefix}.records[]`, {
                limits: opts.limits?.records$
              })) {
                yield {
                  ...evt,
                  index: obj.records
                }
              }

              obj.records++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.notice`,
                value: reader.bool()
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

  export interface MemoryGossipRecordsIdFieldEvent {
    field: '$.records[].id'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsCommunityFieldEvent {
    field: '$.records[].community'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsKindFieldEvent {
    field: '$.records[].kind'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsAgentFieldEvent {
    field: '$.records[].agent'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsOriginFieldEvent {
    field: '$.records[].origin'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsSeqFieldEvent {
    field: '$.records[].seq'
    value: bigint
    index: number
  }

  export interface MemoryGossipRecordsTextFieldEvent {
    field: '$.records[].text'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsMetadataFieldEvent {
    field: '$.records[].metadata'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsCreatedAtFieldEvent {
    field: '$.records[].createdAt'
    value: bigint
    index: number
  }

  export interface MemoryGossipRecordsSignatureFieldEvent {
    field: '$.records[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MemoryGossipRecordsDeletedFieldEvent {
    field: '$.records[].deleted'
    value: boolean
    index: number
  }

  export interface MemoryGossipRecordsCoversFirstFieldEvent {
    field: '$.records[].covers[].first'
    value: bigint
    index: number
  }

  export interface MemoryGossipRecordsCoversLastFieldEvent {
    field: '$.records[].covers[].last'
    value: bigint
    index: number
  }

  export interface MemoryGossipRecordsEpochFieldEvent {
    field: '$.records[].epoch'
    value: number
    index: number
  }

  export interface MemoryGossipRecordsSealedFieldEvent {
    field: '$.records[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MemoryGossipRecordsVectorFieldEvent {
    field: '$.records[].vector'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MemoryGossipRecordsEmbedderFieldEvent {
    field: '$.records[].embedder'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsDimensionFieldEvent {
    field: '$.records[].dimension'
    value: number
    index: number
  }

  export interface MemoryGossipRecordsVectorSignatureFieldEvent {
    field: '$.records[].vectorSignature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MemoryGossipRecordsSignedVectorEmbedderFieldEvent {
    field: '$.records[].signedVector.embedder'
    value: string
    index: number
  }

  export interface MemoryGossipRecordsSignedVectorDimensionFieldEvent {
    field: '$.records[].signedVector.dimension'
    value: number
    index: number
  }

  export interface MemoryGossipRecordsSignedVectorDigestFieldEvent {
    field: '$.records[].signedVector.digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MemoryGossipNoticeFieldEvent {
    field: '$.notice'
    value: boolean
  }

  export function encode (obj: Partial<MemoryGossip>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MemoryGossip.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemoryGossip>): MemoryGossip {
    return decodeMessage(buf, MemoryGossip.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemoryGossip>): Generator<MemoryGossipRecordsIdFieldEvent | MemoryGossipRecordsCommunityFieldEvent | MemoryGossipRecordsKindFieldEvent | MemoryGossipRecordsAgentFieldEvent | MemoryGossipRecordsOriginFieldEvent | MemoryGossipRecordsSeqFieldEvent | MemoryGossipRecordsTextFieldEvent | MemoryGossipRecordsMetadataFieldEvent | MemoryGossipRecordsCreatedAtFieldEvent | MemoryGossipRecordsSignatureFieldEvent | MemoryGossipRecordsDeletedFieldEvent | MemoryGossipRecordsCoversFirstFieldEvent | MemoryGossipRecordsCoversLastFieldEvent | MemoryGossipRecordsEpochFieldEvent | MemoryGossipRecordsSealedFieldEvent | MemoryGossipRecordsVectorFieldEvent | MemoryGossipRecordsEmbedderFieldEvent | MemoryGossipRecordsDimensionFieldEvent | MemoryGossipRecordsVectorSignatureFieldEvent | MemoryGossipRecordsSignedVectorEmbedderFieldEvent | MemoryGossipRecordsSignedVectorDimensionFieldEvent | MemoryGossipRecordsSignedVectorDigestFieldEvent | MemoryGossipNoticeFieldEvent> {
    return streamMessage(buf, MemoryGossip.codec(), opts)
  }
}

export interface VersionEntry {
  origin: string
  seq: bigint
}

export namespace VersionEntry {
  let _codec: Codec<VersionEntry>

  export const codec = (): Codec<VersionEntry> => {
    if (_codec == null) {
      _codec = message<VersionEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.origin != null && obj.origin !== '')) {
          w.uint32(10)
          w.string(obj.origin)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          origin: '',
          seq: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.origin = reader.string()
              break
            }
            case 2: {
              obj.seq = reader.uint64()
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
                field: `${prefix}.origin`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
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

  export interface VersionEntryOriginFieldEvent {
    field: '$.origin'
    value: string
  }

  export interface VersionEntrySeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export function encode (obj: Partial<VersionEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VersionEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionEntry>): VersionEntry {
    return decodeMessage(buf, VersionEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionEntry>): Generator<VersionEntryOriginFieldEvent | VersionEntrySeqFieldEvent> {
    return streamMessage(buf, VersionEntry.codec(), opts)
  }
}

export interface SyncRequest {
  community: string
  have: VersionEntry[]
}

export namespace SyncRequest {
  let _codec: Codec<SyncRequest>

  export const codec = (): Codec<SyncRequest> => {
    if (_codec == null) {
      _codec = message<SyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.community != null && obj.community !== '')) {
          w.uint32(10)
          w.string(obj.community)
        }

        if (obj.have != null && obj.have.length > 0) {
          for (const value of obj.have) {
            w.uint32(18)
            VersionEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          community: '',
          have: []
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
              if (opts.limits?.have != null && obj.have.length === opts.limits.have) {
                throw new MaxLengthError('Decode error - repeated field "have" had too many elements')
              }

              obj.have.push(VersionEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.have$
              }))
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
          have: 0
        }

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
              if (opts.limits?.have != null && obj.have === opts.limits.have) {
                throw new MaxLengthError('Streaming decode error - repeated field "have" had too many elements')
              }

              for (const evt of VersionEntry.codec().stream(reader, reader.uint32(), `${prefix}.have[]`, {
                limits: opts.limits?.have$
              })) {
                yield {
                  ...evt,
                  index: obj.have
                }
              }

              obj.have++

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

  export interface SyncRequestCommunityFieldEvent {
    field: '$.community'
    value: string
  }

  export interface SyncRequestHaveOriginFieldEvent {
    field: '$.have[].origin'
    value: string
    index: number
  }

  export interface SyncRequestHaveSeqFieldEvent {
    field: '$.have[].seq'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<SyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): SyncRequest {
    return decodeMessage(buf, SyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): Generator<SyncRequestCommunityFieldEvent | SyncRequestHaveOriginFieldEvent | SyncRequestHaveSeqFieldEvent> {
    return streamMessage(buf, SyncRequest.codec(), opts)
  }
}

export interface SyncBatch {
  records: MemoryRecordWire[]
  done: boolean
  error: string
}

export namespace SyncBatch {
  let _codec: Codec<SyncBatch>

  export const codec = (): Codec<SyncBatch> => {
    if (_codec == null) {
      _codec = message<SyncBatch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            MemoryRecordWire.codec().encode(value, w)
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
          records: [],
          done: false,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(MemoryRecordWire.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.records$
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
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              for (const evt of MemoryRecordWire.codec().stream(reader, reader.uint32(), `${prefix}.records[]`, {
                limits: opts.limits?.records$
              })) {
                yield {
                  ...evt,
                  index: obj.records
                }
              }

              obj.records++

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

  export interface SyncBatchRecordsIdFieldEvent {
    field: '$.records[].id'
    value: string
    index: number
  }

  export interface SyncBatchRecordsCommunityFieldEvent {
    field: '$.records[].community'
    value: string
    index: number
  }

  export interface SyncBatchRecordsKindFieldEvent {
    field: '$.records[].kind'
    value: string
    index: number
  }

  export interface SyncBatchRecordsAgentFieldEvent {
    field: '$.records[].agent'
    value: string
    index: number
  }

  export interface SyncBatchRecordsOriginFieldEvent {
    field: '$.records[].origin'
    value: string
    index: number
  }

  export interface SyncBatchRecordsSeqFieldEvent {
    field: '$.records[].seq'
    value: bigint
    index: number
  }

  export interface SyncBatchRecordsTextFieldEvent {
    field: '$.records[].text'
    value: string
    index: number
  }

  export interface SyncBatchRecordsMetadataFieldEvent {
    field: '$.records[].metadata'
    value: string
    index: number
  }

  export interface SyncBatchRecordsCreatedAtFieldEvent {
    field: '$.records[].createdAt'
    value: bigint
    index: number
  }

  export interface SyncBatchRecordsSignatureFieldEvent {
    field: '$.records[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncBatchRecordsDeletedFieldEvent {
    field: '$.records[].deleted'
    value: boolean
    index: number
  }

  export interface SyncBatchRecordsCoversFirstFieldEvent {
    field: '$.records[].covers[].first'
    value: bigint
    index: number
  }

  export interface SyncBatchRecordsCoversLastFieldEvent {
    field: '$.records[].covers[].last'
    value: bigint
    index: number
  }

  export interface SyncBatchRecordsEpochFieldEvent {
    field: '$.records[].epoch'
    value: number
    index: number
  }

  export interface SyncBatchRecordsSealedFieldEvent {
    field: '$.records[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncBatchRecordsVectorFieldEvent {
    field: '$.records[].vector'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncBatchRecordsEmbedderFieldEvent {
    field: '$.records[].embedder'
    value: string
    index: number
  }

  export interface SyncBatchRecordsDimensionFieldEvent {
    field: '$.records[].dimension'
    value: number
    index: number
  }

  export interface SyncBatchRecordsVectorSignatureFieldEvent {
    field: '$.records[].vectorSignature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncBatchRecordsSignedVectorEmbedderFieldEvent {
    field: '$.records[].signedVector.embedder'
    value: string
    index: number
  }

  export interface SyncBatchRecordsSignedVectorDimensionFieldEvent {
    field: '$.records[].signedVector.dimension'
    value: number
    index: number
  }

  export interface SyncBatchRecordsSignedVectorDigestFieldEvent {
    field: '$.records[].signedVector.digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncBatchDoneFieldEvent {
    field: '$.done'
    value: boolean
  }

  export interface SyncBatchErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<SyncBatch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncBatch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncBatch>): SyncBatch {
    return decodeMessage(buf, SyncBatch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncBatch>): Generator<SyncBatchRecordsIdFieldEvent | SyncBatchRecordsCommunityFieldEvent | SyncBatchRecordsKindFieldEvent | SyncBatchRecordsAgentFieldEvent | SyncBatchRecordsOriginFieldEvent | SyncBatchRecordsSeqFieldEvent | SyncBatchRecordsTextFieldEvent | SyncBatchRecordsMetadataFieldEvent | SyncBatchRecordsCreatedAtFieldEvent | SyncBatchRecordsSignatureFieldEvent | SyncBatchRecordsDeletedFieldEvent | SyncBatchRecordsCoversFirstFieldEvent | SyncBatchRecordsCoversLastFieldEvent | SyncBatchRecordsEpochFieldEvent | SyncBatchRecordsSealedFieldEvent | SyncBatchRecordsVectorFieldEvent | SyncBatchRecordsEmbedderFieldEvent | SyncBatchRecordsDimensionFieldEvent | SyncBatchRecordsVectorSignatureFieldEvent | SyncBatchRecordsSignedVectorEmbedderFieldEvent | SyncBatchRecordsSignedVectorDimensionFieldEvent | SyncBatchRecordsSignedVectorDigestFieldEvent | SyncBatchDoneFieldEvent | SyncBatchErrorFieldEvent> {
    return streamMessage(buf, SyncBatch.codec(), opts)
  }
}
