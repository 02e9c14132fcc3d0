import { z } from 'zod'
import type { OperationKind } from '../oplog/sync.js'
import type { EventSpec } from '../../events/registry.js'

/** The channel of a community the wiki's operations travel on: topic `oa/1/<community>/ch/wiki`. */
export const WIKI_CHANNEL = 'wiki'

export const PAGE_CREATE = 'wiki.page.create'
export const PAGE_EDIT = 'wiki.page.edit'
export const PAGE_PROTECT = 'wiki.page.protect'
export const PROPOSAL_SUBMIT = 'wiki.proposal.submit'
export const PROPOSAL_ACCEPT = 'wiki.proposal.accept'
export const PROPOSAL_REJECT = 'wiki.proposal.reject'

/** Every event type of the wiki. */
export const WIKI_TYPES: ReadonlySet<string> = new Set([PAGE_CREATE, PAGE_EDIT, PAGE_PROTECT, PROPOSAL_SUBMIT, PROPOSAL_ACCEPT, PROPOSAL_REJECT])

/** The wiki's catch-up protocol: every operation of a community, not only the recent ones channel history keeps. */
export const WIKI_PROTOCOL = '/oa/wiki/1.0.0'

/** The wiki's operations as the shared operation log knows them (`wiki.db`, `/oa/wiki/1.0.0`). */
export const WIKI_KIND: OperationKind = { protocol: WIKI_PROTOCOL, channel: WIKI_CHANNEL, types: WIKI_TYPES, name: 'wiki' }

/** A page's name: lowercase a-z, 0-9 and "-", up to 100 characters, starting with a letter or digit. */
export const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/

/** Largest page body, in UTF-8 bytes. */
export const MAX_BODY_BYTES = 256 * 1024

/** Who may change a page directly: `open` any member, `protected` its owner (others propose), `locked` its owner only (proposals refused). */
export const PROTECTION_LEVELS = ['open', 'protected', 'locked'] as const
export type ProtectionLevel = typeof PROTECTION_LEVELS[number]
export const DEFAULT_PROTECTION: ProtectionLevel = 'protected'

const ENVELOPE_ID = z.string().min(1).max(64)
const slug = z.string().regex(SLUG, 'a slug is 1-100 characters of a-z, 0-9 and "-"')
const body = z.string().refine(b => Buffer.byteLength(b) <= MAX_BODY_BYTES, `a page body is at most ${MAX_BODY_BYTES} bytes`)
const summary = z.string().max(500).optional()

export const createPayload = z.strictObject({ slug, body, summary })
/** Other leaves a revision supersedes (a conflict its author resolved), besides its parent. */
const merges = z.array(ENVELOPE_ID).max(32).optional()

export const editPayload = z.strictObject({ slug, parent: ENVELOPE_ID, merges, body, summary, revertOf: ENVELOPE_ID.optional() })
export const protectPayload = z.strictObject({ slug, level: z.enum(PROTECTION_LEVELS) })
export const submitPayload = z.strictObject({ slug, parent: ENVELOPE_ID, body, summary })
export const acceptPayload = z.strictObject({ slug, proposal: ENVELOPE_ID, parent: ENVELOPE_ID, merges })
export const rejectPayload = z.strictObject({ slug, proposal: ENVELOPE_ID, reason: z.string().max(500).optional() })

export type CreatePayload = z.infer<typeof createPayload>
export type EditPayload = z.infer<typeof editPayload>
export type ProtectPayload = z.infer<typeof protectPayload>
export type SubmitPayload = z.infer<typeof submitPayload>
export type AcceptPayload = z.infer<typeof acceptPayload>
export type RejectPayload = z.infer<typeof rejectPayload>

/**
 * The registry entries. Channel history keeps only recent messages (by count and age)
 * and backfills the latest few, so the wiki also keeps every operation itself
 * (`wiki.db`, never pruned) and serves all of them over `/oa/wiki/1.0.0`.
 */
export const WIKI_EVENTS: EventSpec[] = [
  { type: PAGE_CREATE, payload: createPayload, description: 'a page: its slug and first revision; its author\'s node owns it' },
  { type: PAGE_EDIT, payload: editPayload, description: 'a revision naming its parent revision, by the page\'s owner (or any member of an open page); a revert names the revision whose body it restores' },
  { type: PAGE_PROTECT, payload: protectPayload, description: 'the owner sets who may change the page: open, protected or locked' },
  { type: PROPOSAL_SUBMIT, payload: submitPayload, description: 'a change a member who may not edit directly proposes to the owner' },
  { type: PROPOSAL_ACCEPT, payload: acceptPayload, description: 'the owner accepts a proposal: a revision with the proposal\'s body' },
  { type: PROPOSAL_REJECT, payload: rejectPayload, description: 'the owner rejects a proposal' }
]
