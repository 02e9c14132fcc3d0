import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CommunityObject {
  kind: string
  body: Uint8Array<ArrayBuffer>
  signer: string
  signature: Uint8Array<ArrayBuffer>
}

export namespace CommunityObject {
  let _codec: Codec<CommunityObject>

  export const codec = (): Codec<CommunityObject> => {
    if (_codec == null) {
      _codec = message<CommunityObject>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(10)
          w.string(obj.kind)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.body)
        }

        if ((obj.signer != null && obj.signer !== '')) {
          w.uint32(26)
          w.string(obj.signer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: '',
          body: uint8ArrayAlloc(0),
          signer: '',
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.string()
              break
            }
            case 2: {
              obj.body = reader.bytes()
              break
            }
            case 3: {
              obj.signer = reader.string()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signer`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
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

  export interface CommunityObjectKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface CommunityObjectBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommunityObjectSignerFieldEvent {
    field: '$.signer'
    value: string
  }

  export interface CommunityObjectSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CommunityObject>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommunityObject.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityObject>): CommunityObject {
    return decodeMessage(buf, CommunityObject.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityObject>): Generator<CommunityObjectKindFieldEvent | CommunityObjectBodyFieldEvent | CommunityObjectSignerFieldEvent | CommunityObjectSignatureFieldEvent> {
    return streamMessage(buf, CommunityObject.codec(), opts)
  }
}

export interface CommunityGossip {
  objects: CommunityObject[]
}

export namespace CommunityGossip {
  let _codec: Codec<CommunityGossip>

  export const codec = (): Codec<CommunityGossip> => {
    if (_codec == null) {
      _codec = message<CommunityGossip>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.objects != null && obj.objects.length > 0) {
          for (const value of obj.objects) {
            w.uint32(10)
            CommunityObject.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          objects: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.objects != null && obj.objects.length === opts.limits.objects) {
                throw new MaxLengthError('Decode error - repeated field "objects" had too many elements')
              }

              obj.objects.push(CommunityObject.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.objects$
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
          objects: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.objects != null && obj.objects === opts.limits.objects) {
                throw new MaxLengthError('Streaming decode error - repeated field "objects" had too many elements')
              }

              for (const evt of CommunityObject.codec().stream(reader, reader.uint32(), `${prefix}.objects[]`, {
                limits: opts.limits?.objects$
              })) {
                yield {
                  ...evt,
                  index: obj.objects
                }
              }

              obj.objects++

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

  export interface CommunityGossipObjectsKindFieldEvent {
    field: '$.objects[].kind'
    value: string
    index: number
  }

  export interface CommunityGossipObjectsBodyFieldEvent {
    field: '$.objects[].body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CommunityGossipObjectsSignerFieldEvent {
    field: '$.objects[].signer'
    value: string
    index: number
  }

  export interface CommunityGossipObjectsSignatureFieldEvent {
    field: '$.objects[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<CommunityGossip>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommunityGossip.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityGossip>): CommunityGossip {
    return decodeMessage(buf, CommunityGossip.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityGossip>): Generator<CommunityGossipObjectsKindFieldEvent | CommunityGossipObjectsBodyFieldEvent | CommunityGossipObjectsSignerFieldEvent | CommunityGossipObjectsSignatureFieldEvent> {
    return streamMessage(buf, CommunityGossip.codec(), opts)
  }
}

export interface CommunityRequest {
  op: CommunityRequest.Op
  community: string
  bearer?: CommunityObject
}

export namespace CommunityRequest {
  export enum Op {
    SYNC = 'SYNC',
    REDEEM = 'REDEEM'
  }

  enum __OpValues {
    SYNC = 0,
    REDEEM = 1
  }

  export namespace Op {
    export const codec = (): Codec<Op> => {
      return enumeration<Op>(__OpValues)
    }
  }

  let _codec: Codec<CommunityRequest>

  export const codec = (): Codec<CommunityRequest> => {
    if (_codec == null) {
      _codec = message<CommunityRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.op != null && __OpValues[obj.op] !== 0) {
          w.uint32(8)
          CommunityRequest.Op.codec().encode(obj.op, w)
        }

        if ((obj.community != null && obj.community !== '')) {
          w.uint32(18)
          w.string(obj.community)
        }

        if (obj.bearer != null) {
          w.uint32(26)
          CommunityObject.codec().encode(obj.bearer, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          op: Op.SYNC,
          community: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.op = CommunityRequest.Op.codec().decode(reader)
              break
            }
            case 2: {
              obj.community = reader.string()
              break
            }
            case 3: {
              obj.bearer = CommunityObject.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bearer
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.op`,
                value: CommunityRequest.Op.codec().decode(reader)
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
              yield * CommunityObject.codec().stream(reader, reader.uint32(), `${prefix}.bearer`, {
                limits: opts.limits?.bearer
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

  export interface CommunityRequestOpFieldEvent {
    field: '$.op'
    value: CommunityRequest.Op
  }

  export interface CommunityRequestCommunityFieldEvent {
    field: '$.community'
    value: string
  }

  export interface CommunityRequestBearerKindFieldEvent {
    field: '$.bearer.kind'
    value: string
  }

  export interface CommunityRequestBearerBodyFieldEvent {
    field: '$.bearer.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommunityRequestBearerSignerFieldEvent {
    field: '$.bearer.signer'
    value: string
  }

  export interface CommunityRequestBearerSignatureFieldEvent {
    field: '$.bearer.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CommunityRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommunityRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityRequest>): CommunityRequest {
    return decodeMessage(buf, CommunityRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityRequest>): Generator<CommunityRequestOpFieldEvent | CommunityRequestCommunityFieldEvent | CommunityRequestBearerKindFieldEvent | CommunityRequestBearerBodyFieldEvent | CommunityRequestBearerSignerFieldEvent | CommunityRequestBearerSignatureFieldEvent> {
    return streamMessage(buf, CommunityRequest.codec(), opts)
  }
}

export interface CommunityResponse {
  objects: CommunityObject[]
  error: string
}

export namespace CommunityResponse {
  let _codec: Codec<CommunityResponse>

  export const codec = (): Codec<CommunityResponse> => {
    if (_codec == null) {
      _codec = message<CommunityResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.objects != null && obj.objects.length > 0) {
          for (const value of obj.objects) {
            w.uint32(10)
            CommunityObject.codec().encode(value, w)
          }
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          objects: [],
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.objects != null && obj.objects.length === opts.limits.objects) {
                throw new MaxLengthError('Decode error - repeated field "objects" had too many elements')
              }

              obj.objects.push(CommunityObject.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.objects$
              }))
              break
            }
            case 2: {
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
          objects: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.objects != null && obj.objects === opts.limits.objects) {
                throw new MaxLengthError('Streaming decode error - repeated field "objects" had too many elements')
              }

              for (const evt of CommunityObject.codec().stream(reader, reader.uint32(), `${prefix}.objects[]`, {
                limits: opts.limits?.objects$
              })) {
                yield {
                  ...evt,
                  index: obj.objects
                }
              }

              obj.objects++

              break
            }
            case 2: {
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

  export interface CommunityResponseObjectsKindFieldEvent {
    field: '$.objects[].kind'
    value: string
    index: number
  }

  export interface CommunityResponseObjectsBodyFieldEvent {
    field: '$.objects[].body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CommunityResponseObjectsSignerFieldEvent {
    field: '$.objects[].signer'
    value: string
    index: number
  }

  export interface CommunityResponseObjectsSignatureFieldEvent {
    field: '$.objects[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CommunityResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<CommunityResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommunityResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityResponse>): CommunityResponse {
    return decodeMessage(buf, CommunityResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommunityResponse>): Generator<CommunityResponseObjectsKindFieldEvent | CommunityResponseObjectsBodyFieldEvent | CommunityResponseObjectsSignerFieldEvent | CommunityResponseObjectsSignatureFieldEvent | CommunityResponseErrorFieldEvent> {
    return streamMessage(buf, CommunityResponse.codec(), opts)
  }
}
