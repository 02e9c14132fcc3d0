import { acceptPayload, createPayload, editPayload, PAGE_CREATE, PAGE_EDIT, PAGE_PROTECT, PROPOSAL_ACCEPT, PROPOSAL_REJECT, PROPOSAL_SUBMIT, protectPayload, rejectPayload, submitPayload } from './events.js'
import type { AcceptPayload, CreatePayload, EditPayload, ProtectPayload, RejectPayload, SubmitPayload } from './events.js'
import type { EventJson } from '../../events/json.js'

interface OpBase {
  /** The envelope id: a revision's or a proposal's id. */
  id: string
  /** `<agent>@<peer id>` */
  source: string
  /** The author's node. */
  peer: string
  timestamp: number
  slug: string
}

/** One signed wiki operation, typed by its event type. */
export type WikiOp =
  | OpBase & { type: typeof PAGE_CREATE, payload: CreatePayload }
  | OpBase & { type: typeof PAGE_EDIT, payload: EditPayload }
  | OpBase & { type: typeof PAGE_PROTECT, payload: ProtectPayload }
  | OpBase & { type: typeof PROPOSAL_SUBMIT, payload: SubmitPayload }
  | OpBase & { type: typeof PROPOSAL_ACCEPT, payload: AcceptPayload }
  | OpBase & { type: typeof PROPOSAL_REJECT, payload: RejectPayload }

const SCHEMAS = {
  [PAGE_CREATE]: createPayload,
  [PAGE_EDIT]: editPayload,
  [PAGE_PROTECT]: protectPayload,
  [PROPOSAL_SUBMIT]: submitPayload,
  [PROPOSAL_ACCEPT]: acceptPayload,
  [PROPOSAL_REJECT]: rejectPayload
} as const

/**
 * The wiki operation an event carries, or undefined when it is not one (another type, or
 * a payload that does not parse: the envelope pipeline refused those already).
 *
 * @example
 * ```ts
 * const op = toWikiOp(evt.detail.event)
 * if (op != null) fold.add(op)
 * ```
 */
export function toWikiOp (event: Pick<EventJson, 'id' | 'type' | 'source' | 'timestamp' | 'payload'>): WikiOp | undefined {
  const schema = (SCHEMAS as Record<string, typeof SCHEMAS[keyof typeof SCHEMAS] | undefined>)[event.type]
  if (schema == null) return undefined
  const parsed = schema.safeParse(event.payload)
  if (!parsed.success) return undefined
  const peer = event.source.slice(event.source.lastIndexOf('@') + 1)
  return { id: event.id, type: event.type, source: event.source, peer, timestamp: event.timestamp, slug: parsed.data.slug, payload: parsed.data } as WikiOp
}

/** Total order of operations: by (timestamp, envelope id). */
export function compareOps (a: { timestamp: number, id: string }, b: { timestamp: number, id: string }): number {
  return a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}
