import type { NodeConfig } from '../config/schema.js'
import type { EventCatalog, EventSpec } from '../events/registry.js'
import type { NodeLimits } from '../limits/node-limits.js'
import type { PeerPenalties } from '../channels/penalties.js'
import type { Router } from '../api/router.js'
import type { OaNode } from '../node/oa-node.js'
import type { PrivateKey } from '@libp2p/interface'
import type { IncomingMessage } from 'node:http'
import type { WebSocket } from 'ws'
import type { z } from 'zod'

/** A mod's name: the key of its `mods:` entry, its libp2p service, its status section and its CLI group. */
export const MOD_NAME = /^[a-z][a-z0-9_]{0,31}$/

/** Marks mod objects across copies of the package (a user mod imports `oa-node` itself). */
export const MOD_BRAND = Symbol.for('oa-node/mod')

/**
 * A mod's config section: a zod fragment (every key optional, unknown keys refused,
 * as `z.strictObject`) and its defaults. User mods read theirs from `mods.<name>`
 * (beside `enabled` and `module`); the node's built-in mods keep their historical
 * top-level sections (`channels:`, `memory:`, `discovery:`).
 */
export interface ModConfig<Config> {
  schema: z.ZodType
  defaults: Config
  /** The top-level key of a built-in mod's historical section; user mods leave it out (their section is `mods.<name>`). */
  section?: string
}

/** What a mod's service factory gets to build its libp2p service. */
export interface ModSetup<Config> {
  /** The mod's own config: its section, validated, over its defaults. */
  config: Config
  /** The whole node config (data dir, communities, llm, ...). */
  node: NodeConfig
  /** The node's event types, with the mods' own. */
  events: EventCatalog
  /** Lowers a peer's gossipsub score: call `penalize(peer)` for each invalid message it sent. */
  penalties: PeerPenalties
  /** The node's limits (streams per protocol, rates). */
  limits: NodeLimits
  /** What `createNode` was called with (tests inject stores). */
  options: Record<string, unknown>
  /** Makes the facades of the node's mods for one agent (the agents mod hands them to the agents it hosts). */
  facades: (agent: FacadeAgent, service: (name: string) => unknown) => Record<string, unknown>
}

/**
 * A libp2p 3 service factory: libp2p calls it with the node's components, in which every
 * service created before it is present under its name (`components.channels`,
 * `components.communities`, `components.pubsub`, ...). The service may implement
 * `Startable` (`start`, `afterStart`, `beforeStop`, `stop`).
 */
export type ModServiceFactory<Service> = (components: never) => Service

/** The libp2p service a mod adds to the node, named after the mod. */
export interface ModService<Service, Config> {
  create: (setup: ModSetup<Config>) => ModServiceFactory<Service>
  /**
   * libp2p capabilities the service provides (`serviceCapabilities`); `@oa-node/<name>`
   * is always added, and a mod that `needs` another depends on its capability.
   */
  capabilities?: string[]
  /** libp2p capabilities it needs besides the mods it `needs` (`serviceDependencies`), e.g. `@libp2p/pubsub`. */
  dependencies?: string[]
}

/** What a mod's routes get. */
export interface ModRouteContext<Service> {
  /** The mod's service. */
  service: Service
  node: OaNode
  /** Reads a JSON body and checks it with a zod schema; a bad body answers 400 naming each field. */
  body: <T>(req: IncomingMessage, schema: z.ZodType<T>) => Promise<T>
}

/**
 * A WebSocket endpoint a mod adds to the control API (`WS <path>`). The server checks
 * Host and Origin, takes the token as it does on every route (`Authorization: Bearer`,
 * or the subprotocol `oa-token.<token>` next to `subprotocol`), requires the client to
 * offer `subprotocol` and answers with it, and counts every refusal in `api.rejected`.
 */
export interface ModSocket<Service> {
  /** `/v1/agents/connect` */
  path: string
  /** The versioned subprotocol the endpoint speaks (`oa-agent.v1`). */
  subprotocol: string
  /** Largest message a client may send, in bytes (default 1 MiB). */
  maxPayload?: number
  /**
   * Who a token other than the node's API token speaks for (a per-agent token); undefined
   * when the endpoint does not know it, which answers 401. The API token is always taken.
   */
  principal?: (service: Service, token: string) => Promise<unknown>
  /** Serves an authenticated connection; `principal` is undefined for the node's API token. */
  accept: (service: Service, socket: ModSocketConnection) => void
  /** The control API is stopping: the last frames to its clients, before their connections are closed. */
  stopping?: (service: Service) => void
}

/** An accepted connection of a mod's WebSocket endpoint. */
export interface ModSocketConnection {
  /** The `ws` WebSocket. */
  ws: WebSocket
  req: IncomingMessage
  url: URL
  /** What `principal` answered for the token, or undefined for the node's API token. */
  principal: unknown
}

/** The agent a facade is made for. */
export interface FacadeAgent {
  name: string
  /** `<name>@<peer id>` */
  id: string
  community: string
  /** `custom`, or the built-in type. */
  kind: string
}

/** What a mod's status section and CLI get besides the service: the other mods' services by name. */
export interface ModPeers {
  /** Another mod's service by name (cast it to its type); undefined when that mod is off. */
  service: (name: string) => unknown
}

/** One command of a mod, run as `oa-node <mod> <command> [arguments] [options]` against the running node of a data dir. */
export interface ModCommand {
  name: string
  description: string
  /** `<name>` for a required argument, `[name]` for an optional one, `<name...>` for the rest. */
  arguments?: string[]
  /**
   * Commander-style flags, e.g. `['--option <text>', 'an option']`; a third element
   * `'repeat'` makes it repeatable (its value is then the list given). `--data-dir` and
   * `--json` are always there.
   */
  options?: Array<[flags: string, description: string, repeat?: 'repeat']>
  run: (ctx: ModCommandContext) => Promise<number | undefined>
}

/** The running node's control API, as a mod's commands use it. */
export interface ModApi {
  get: <T>(path: string) => Promise<T>
  post: <T>(path: string, body: unknown) => Promise<T>
  delete: <T>(path: string) => Promise<T>
}

export interface ModCommandContext {
  args: string[]
  options: Record<string, unknown>
  /** `--json` was given. */
  json: boolean
  api: ModApi
  /** Writes a line to stdout. */
  print: (text: string) => void
}

/** One part of `oa-node check`: a file or folder of the data dir the mod owns; it may carry more fields (counts, what was found). */
export interface ModCheckPart {
  /** Each problem found, naming the file; none when the part is sound. */
  problems: string[]
}

/** What a mod's check gets: the stopped node's data dir and, when readable, its key. */
export interface ModCheckContext {
  dataDir: string
  privateKey?: PrivateKey
}

/**
 * A mod: one capability of a node, as an object literal. Every part but `name` is
 * optional. See docs/mods.md.
 */
export interface Mod<Service = unknown, Config = Record<string, unknown>, Facade = unknown> {
  name: string
  description?: string
  /** Mods this one needs enabled (their services exist before its own). */
  needs?: string[]
  config?: ModConfig<Config>
  service?: ModService<Service, Config>
  /** Event types it owns, with their payload schemas, carrier and who may author them. */
  events?: EventSpec[]
  /** Gossipsub topics it uses (patterns, for the docs and `GET /v1/mods`). */
  topics?: string[]
  /** Stream protocols it handles. */
  protocols?: string[]
  /** Its WebSocket endpoints on the control API. */
  sockets?: Array<ModSocket<Service>>
  /** Adds its control API routes. */
  routes?: (router: Router, ctx: ModRouteContext<Service>) => void
  /** The narrow calls an agent gets (`this.mods.<name>`), made once per agent. */
  agent?: (service: Service, agent: FacadeAgent, peers: ModPeers) => Facade
  /** Its section of `GET /v1/status`, under its name. */
  status?: (service: Service, peers: ModPeers) => unknown
  /**
   * Fields it adds at the top level of `GET /v1/status`. The built-in mods keep their
   * historical fields here (`rejected`, `trust`, `llm`, `endpoints`); a field another
   * part already set is refused.
   */
  statusFields?: (service: Service, peers: ModPeers) => Record<string, unknown>
  /** Its commands: `oa-node <name> <command>`. */
  cli?: ModCommand[]
  /** Files and folders of the data dir it owns (relative paths). */
  files?: string[]
  /** Its parts of `oa-node check` on a stopped node's data dir, by part name. */
  check?: (ctx: ModCheckContext) => Promise<Record<string, ModCheckPart>>
}

/** A mod of any service, config and facade, as lists hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMod = Mod<any, any, any>

/**
 * Declares a mod. Returns it unchanged, typed, and marked so a node recognises it when a
 * module exports it (`mods: { polls: { module: ./polls/index.js } }`).
 *
 * @example
 * ```js
 * import { defineMod } from 'oa-node'
 * export default defineMod({
 *   name: 'hello',
 *   status: () => ({ greeting: 'hello' })
 * })
 * ```
 */
export function defineMod<Service = unknown, Config = Record<string, unknown>, Facade = unknown> (mod: Mod<Service, Config, Facade>): Mod<Service, Config, Facade> {
  Object.defineProperty(mod, MOD_BRAND, { value: true, enumerable: false })
  return mod
}

/**
 * True for an object made with `defineMod` (by this or another copy of oa-node).
 *
 * @example
 * ```ts
 * if (!isMod(imported.default)) throw new Error('not a mod')
 * ```
 */
export function isMod (value: unknown): value is AnyMod {
  return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[MOD_BRAND] === true && typeof (value as { name?: unknown }).name === 'string'
}
