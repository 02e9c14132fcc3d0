/**
 * Mods: the contract every capability of a node is built on. A mod is an object literal
 * made with `defineMod`; every part but `name` is optional:
 *
 * - `service`: its libp2p service factory (named after the mod; `needs` other mods, whose
 *   services it finds in its components; libp2p capabilities set from `needs`);
 * - `config`: a zod fragment and defaults, read from `mods.<name>` (unknown keys refused);
 * - `events`: the event types it owns (`domain.entity.action`), their payload schemas,
 *   carrier and who may author them (`write` or `admin`, in open and private
 *   communities): registered in the node's EventRegistry, which the envelope pipeline
 *   reads, checking authors through CommunityAccess;
 * - `topics`, `protocols`: what it puts on the wire (listed in protocols/README.md);
 * - `routes`: its control API routes; `agent`: its facade (`this.mods.<name>` of an Agent);
 * - `status` (`GET /v1/status` under its name), `cli` (`oa-node <name> <command>`),
 *   `files` and `check` (its part of `oa-node check`).
 *
 * `createNode` composes the built-in mods (communities, channels, discovery, memory,
 * replication, agents), each of which `mods.<name>.enabled: false` turns off, with the
 * user mods `mods.<name>.module` names. See docs/mods.md.
 *
 * @example
 * ```js
 * import { defineMod, OaError, z } from 'oa-node'
 *
 * export default defineMod({
 *   name: 'hello',
 *   config: { schema: z.strictObject({ greeting: z.string().optional() }), defaults: { greeting: 'hello' } },
 *   routes: (router, { node }) => { router.get('/v1/hello', async () => ({ greeting: node.mod('hello').config.greeting })) },
 *   status: () => ({ up: true })
 * })
 * ```
 */
export { defineMod, isMod, MOD_NAME, MOD_BRAND } from './contract.js'
export type { Mod, AnyMod, ModConfig, ModSetup, ModService, ModServiceFactory, ModRouteContext, FacadeAgent, ModPeers, ModCommand, ModCommandContext, ModApi, ModCheckPart, ModCheckContext } from './contract.js'
export { composeMods, CORE_STATUS_FIELDS } from './compose.js'
export type { ComposedMods, ResolvedMod } from './compose.js'
export { BUILTIN_MODS } from './builtin.js'
export { BUILTIN_MOD_NAMES } from './builtin-names.js'
export { socialMod } from './social/mod.js'
export { SocialService } from './social/service.js'
export { SocialFold } from './social/fold.js'
export { computeTrust, TRUST_DEFAULTS } from './social/trust.js'
export { SOCIAL_EVENTS, ENDORSEMENT_ADD, ENDORSEMENT_REMOVE, SOCIAL_CHANNEL } from './social/events.js'
export type { SocialStatus, SocialComponents } from './social/service.js'
export type { SocialFacade } from './social/facade.js'
export type { SocialGraph, SocialEdge, EdgeKind, Endorsement, ResolvedVote } from './social/fold.js'
export type { TrustScore, TrustParams } from './social/trust.js'
