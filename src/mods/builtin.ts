import { agentsMod } from '../agents/mod.js'
import { channelsMod } from '../channels/mod.js'
import { communitiesMod } from '../communities/mod.js'
import { discoveryMod } from '../discovery/mod.js'
import { captureMod } from '../memory/capture-mod.js'
import { memoryMod } from '../memory/mod.js'
import { replicationMod } from '../memory/replication/mod.js'
import { a2aMod } from './a2a/mod.js'
import { socialMod } from './social/mod.js'
import { wikiMod } from './wiki/mod.js'
import { forumMod } from './forum/mod.js'
import { remoteAgentsMod } from '../gateway/remote/mod.js'
import type { AnyMod } from './contract.js'

/** The node's built-in mods, in the order their services are created (see BUILTIN_MOD_NAMES). */
export const BUILTIN_MODS: readonly AnyMod[] = [communitiesMod, channelsMod, discoveryMod, memoryMod, captureMod, replicationMod, wikiMod, forumMod, agentsMod, socialMod, remoteAgentsMod, a2aMod]
