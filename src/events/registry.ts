import { EVENT_TYPE } from './types.js'
import type { z } from 'zod'

/** How an event type travels: on channel topics and in channel history, or in direct request streams. */
export type EventCarrier = 'channel' | 'direct'

/** The role an author needs for an event: `write` (members and admins) or `admin`. Readers write nothing. */
export type WriteRequirement = 'write' | 'admin'

/** The role needed in open and in private communities (an open community has admins only when it was created with `community create --open`, so `admin` there refuses everyone else). */
export interface EventAccess {
  open?: WriteRequirement
  private?: WriteRequirement
}

/** An event type a mod owns. */
export interface EventSpec {
  /** `domain.entity.action`, e.g. `polls.vote.cast`. */
  type: string
  /** The payload's shape; envelopes whose payload does not match are rejected (`payload`) and counted. Absent: any JSON. */
  payload?: z.ZodType
  /** Default `channel`. */
  carrier?: EventCarrier
  /** Kept in channel history and served to late joiners (default true; presence is live state and is not). */
  history?: boolean
  /** Who may author it; default `write` in both kinds of community. */
  access?: WriteRequirement | EventAccess
  /** One line for `GET /v1/mods` and the docs. */
  description?: string
  /**
   * A rule of the owning mod on the whole event that needs no state of the mod: returns
   * why the event is refused, or undefined. It sees the author (`source`,
   * `<agent>@<peer id>`), so it can refuse what a payload alone cannot show (an agent
   * endorsing itself). Inbound, it runs where a rule added with `Channels.addRule` (one
   * that needs the mod's state) runs, after the signature and the author's role, and a
   * refusal is counted as `rule` the same way; a local publish it refuses fails with
   * `bad_payload`.
   */
  rule?: (event: { source: string, payload: unknown }) => string | undefined
}

/** What the envelope pipeline asks about event types. */
export interface EventCatalog {
  /** Is this type carried on this path? Unknown types are carried nowhere. */
  carries: (type: string, carrier: EventCarrier) => boolean
  /** The payload schema of a type, if it has one. */
  payloadSchema: (type: string) => z.ZodType | undefined
  /** The role an author of this type needs in an open or a private community. */
  requirement: (type: string, isPrivate: boolean) => WriteRequirement
  /** Is an event of this type kept in channel history? */
  kept: (type: string) => boolean
  /** Why the owning mod's rule refuses this event, or undefined (also when the type has no rule). */
  refusal?: (type: string, event: { source: string, payload: unknown }) => string | undefined
}

/** A registered type and the mod that owns it. */
export interface RegisteredEvent extends EventSpec {
  owner: string
}

/**
 * The event types a node knows: each mod registers the types it owns, and every inbound
 * and outbound envelope is checked against the registry (type carried on that path,
 * payload shape, the author's role). There is no closed set of types.
 *
 * @example
 * ```ts
 * const events = new EventRegistry()
 * events.register({ type: 'polls.vote.cast', payload: z.strictObject({ poll: z.string(), option: z.number().int() }) }, 'polls')
 * events.carries('polls.vote.cast', 'channel')   // true
 * ```
 */
export class EventRegistry implements EventCatalog {
  private readonly types = new Map<string, RegisteredEvent>()

  /** Registers a type for a mod; throws a TypeError for a malformed type or one another mod owns. */
  register (spec: EventSpec, owner: string): void {
    if (!EVENT_TYPE.test(spec.type)) throw new TypeError(`mod ${owner}: event type "${spec.type}" is not domain.entity.action (three lowercase words separated by dots)`)
    const held = this.types.get(spec.type)
    if (held != null) throw new TypeError(`mod ${owner}: event type ${spec.type} is already owned by mod ${held.owner}`)
    this.types.set(spec.type, { ...spec, owner })
  }

  get (type: string): RegisteredEvent | undefined {
    return this.types.get(type)
  }

  /** Every registered type, sorted. */
  list (): RegisteredEvent[] {
    return [...this.types.values()].sort((a, b) => a.type.localeCompare(b.type))
  }

  carries (type: string, carrier: EventCarrier): boolean {
    const spec = this.types.get(type)
    return spec != null && (spec.carrier ?? 'channel') === carrier
  }

  payloadSchema (type: string): z.ZodType | undefined {
    return this.types.get(type)?.payload
  }

  requirement (type: string, isPrivate: boolean): WriteRequirement {
    const access = this.types.get(type)?.access
    if (access == null) return 'write'
    if (typeof access === 'string') return access
    return (isPrivate ? access.private : access.open) ?? 'write'
  }

  kept (type: string): boolean {
    return this.types.get(type)?.history !== false
  }

  refusal (type: string, event: { source: string, payload: unknown }): string | undefined {
    return this.types.get(type)?.rule?.(event)
  }
}
