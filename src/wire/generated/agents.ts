import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AgentCard {
  name: string
  id: string
  description: string
  community: string
  capabilities: string[]
  channels: string[]
  peerId: string
  multiaddrs: string[]
  protocolVersion: string
  kind: string
  examples: string[]
}

export namespace AgentCard {
  let _codec: Codec<AgentCard>

  export const codec = (): Codec<AgentCard> => {
    if (_codec == null) {
      _codec = message<AgentCard>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(18)
          w.string(obj.id)
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(26)
          w.string(obj.description)
        }

        if ((obj.community != null && obj.community !== '')) {
          w.uint32(34)
          w.string(obj.community)
        }

        if (obj.capabilities != null && obj.capabilities.length > 0) {
          for (const value of obj.capabilities) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (obj.channels != null && obj.channels.length > 0) {
          for (const value of obj.channels) {
            w.uint32(50)
            w.string(value)
          }
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(58)
          w.string(obj.peerId)
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(66)
            w.string(value)
          }
        }

        if ((obj.protocolVersion != null && obj.protocolVersion !== '')) {
          w.uint32(74)
          w.string(obj.protocolVersion)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(82)
          w.string(obj.kind)
        }

        if (obj.examples != null && obj.examples.length > 0) {
          for (const value of obj.examples) {
            w.uint32(90)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          id: '',
          description: '',
          community: '',
          capabilities: [],
          channels: [],
          peerId: '',
          multiaddrs: [],
          protocolVersion: '',
          kind: '',
          examples: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.id = reader.string()
              break
            }
            case 3: {
              obj.description = reader.string()
              break
            }
            case 4: {
              obj.community = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 6: {
              if (opts.limits?.channels != null && obj.channels.length === opts.limits.channels) {
                throw new MaxLengthError('Decode error - repeated field "channels" had too many elements')
              }

              obj.channels.push(reader.string())
              break
            }
            case 7: {
              obj.peerId = reader.string()
              break
            }
            case 8: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.string())
              break
            }
            case 9: {
              obj.protocolVersion = reader.string()
              break
            }
            case 10: {
              obj.kind = reader.string()
              break
            }
            case 11: {
              if (opts.limits?.examples != null && obj.examples.length === opts.limits.examples) {
                throw new MaxLengthError('Decode error - repeated field "examples" had too many elements')
              }

              obj.examples.push(reader.string())
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
          capabilities: 0,
          channels: 0,
          multiaddrs: 0,
          examples: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.community`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              yield {
                field: `${prefix}.capabilities[]`,
                index: obj.capabilities,
                value: reader.string()
              }

              obj.capabilities++

              break
            }
            case 6: {
              if (opts.limits?.channels != null && obj.channels === opts.limits.channels) {
                throw new MaxLengthError('Streaming decode error - repeated field "channels" had too many elements')
              }

              yield {
                field: `${prefix}.channels[]`,
                index: obj.channels,
                value: reader.string()
              }

              obj.channels++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 8: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.string()
              }

              obj.multiaddrs++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.protocolVersion`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 11: {
              if (opts.limits?.examples != null && obj.examples === opts.limits.examples) {
                throw new MaxLengthError('Streaming decode error - repeated field "examples" had too many elements')
              }

              yield {
                field: `${prefix}.examples[]`,
                index: obj.examples,
                value: reader.string()
              }

              obj.examples++

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

  export interface AgentCardNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface AgentCardIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface AgentCardDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface AgentCardCommunityFieldEvent {
    field: '$.community'
    value: string
  }

  export interface AgentCardCapabilitiesFieldEvent {
    field: '$.capabilities[]'
    index: number
    value: string
  }

  export interface AgentCardChannelsFieldEvent {
    field: '$.channels[]'
    index: number
    value: string
  }

  export interface AgentCardPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface AgentCardMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: string
  }

  export interface AgentCardProtocolVersionFieldEvent {
    field: '$.protocolVersion'
    value: string
  }

  export interface AgentCardKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface AgentCardExamplesFieldEvent {
    field: '$.examples[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<AgentCard>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AgentCard.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCard>): AgentCard {
    return decodeMessage(buf, AgentCard.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCard>): Generator<AgentCardNameFieldEvent | AgentCardIdFieldEvent | AgentCardDescriptionFieldEvent | AgentCardCommunityFieldEvent | AgentCardCapabilitiesFieldEvent | AgentCardChannelsFieldEvent | AgentCardPeerIdFieldEvent | AgentCardMultiaddrsFieldEvent | AgentCardProtocolVersionFieldEvent | AgentCardKindFieldEvent | AgentCardExamplesFieldEvent> {
    return streamMessage(buf, AgentCard.codec(), opts)
  }
}

export interface AgentCardsRequest {
  community: string
}

export namespace AgentCardsRequest {
  let _codec: Codec<AgentCardsRequest>

  export const codec = (): Codec<AgentCardsRequest> => {
    if (_codec == null) {
      _codec = message<AgentCardsRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.community != null && obj.community !== '')) {
          w.uint32(10)
          w.string(obj.community)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          community: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.community = reader.string()
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

  export interface AgentCardsRequestCommunityFieldEvent {
    field: '$.community'
    value: string
  }

  export function encode (obj: Partial<AgentCardsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AgentCardsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCardsRequest>): AgentCardsRequest {
    return decodeMessage(buf, AgentCardsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCardsRequest>): Generator<AgentCardsRequestCommunityFieldEvent> {
    return streamMessage(buf, AgentCardsRequest.codec(), opts)
  }
}

export interface AgentCardsResponse {
  cards: AgentCard[]
  error: string
}

export namespace AgentCardsResponse {
  let _codec: Codec<AgentCardsResponse>

  export const codec = (): Codec<AgentCardsResponse> => {
    if (_codec == null) {
      _codec = message<AgentCardsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.cards != null && obj.cards.length > 0) {
          for (const value of obj.cards) {
            w.uint32(10)
            AgentCard.codec().encode(value, w)
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
          cards: [],
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.cards != null && obj.cards.length === opts.limits.cards) {
                throw new MaxLengthError('Decode error - repeated field "cards" had too many elements')
              }

              obj.cards.push(AgentCard.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cards$
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
          cards: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.cards != null && obj.cards === opts.limits.cards) {
                throw new MaxLengthError('Streaming decode error - repeated field "cards" had too many elements')
              }

              for (const evt of AgentCard.codec().stream(reader, reader.uint32(), `${prefix}.cards[]`, {
                limits: opts.limits?.cards$
              })) {
                yield {
                  ...evt,
                  index: obj.cards
                }
              }

              obj.cards++

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

  export interface AgentCardsResponseCardsNameFieldEvent {
    field: '$.cards[].name'
    value: string
    index: number
  }

  export interface AgentCardsResponseCardsIdFieldEvent {
    field: '$.cards[].id'
    value: string
    index: number
  }

  export interface AgentCardsResponseCardsDescriptionFieldEvent {
    field: '$.cards[].description'
    value: string
    index: number
  }

  export interface AgentCardsResponseCardsCommunityFieldEvent {
    field: '$.cards[].community'
    value: string
    index: number
  }

  export interface AgentCardsResponseCardsCapabilitiesFieldEvent {
    field: '$.cards[].capabilities[]'
    index: number
    value: string
  }

  export interface AgentCardsResponseCardsChannelsFieldEvent {
    field: '$.cards[].channels[]'
    index: number
    value: string
  }

  export interface AgentCardsResponseCardsPeerIdFieldEvent {
    field: '$.cards[].peerId'
    value: string
    index: number
  }

  export interface AgentCardsResponseCardsMultiaddrsFieldEvent {
    field: '$.cards[].multiaddrs[]'
    index: number
    value: string
  }

  export interface AgentCardsResponseCardsProtocolVersionFieldEvent {
    field: '$.cards[].protocolVersion'
    value: string
    index: number
  }

  export interface AgentCardsResponseCardsKindFieldEvent {
    field: '$.cards[].kind'
    value: string
    index: number
  }

  export interface AgentCardsResponseCardsExamplesFieldEvent {
    field: '$.cards[].examples[]'
    index: number
    value: string
  }

  export interface AgentCardsResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<AgentCardsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AgentCardsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCardsResponse>): AgentCardsResponse {
    return decodeMessage(buf, AgentCardsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCardsResponse>): Generator<AgentCardsResponseCardsNameFieldEvent | AgentCardsResponseCardsIdFieldEvent | AgentCardsResponseCardsDescriptionFieldEvent | AgentCardsResponseCardsCommunityFieldEvent | AgentCardsResponseCardsCapabilitiesFieldEvent | AgentCardsResponseCardsChannelsFieldEvent | AgentCardsResponseCardsPeerIdFieldEvent | AgentCardsResponseCardsMultiaddrsFieldEvent | AgentCardsResponseCardsProtocolVersionFieldEvent | AgentCardsResponseCardsKindFieldEvent | AgentCardsResponseCardsExamplesFieldEvent | AgentCardsResponseErrorFieldEvent> {
    return streamMessage(buf, AgentCardsResponse.codec(), opts)
  }
}
