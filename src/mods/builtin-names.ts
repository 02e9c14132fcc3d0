/** The node's built-in mods, in the order their services are created; each can be turned off with `mods.<name>.enabled: false`. */
export const BUILTIN_MOD_NAMES = ['communities', 'channels', 'discovery', 'memory', 'capture', 'replication', 'wiki', 'forum', 'agents', 'social', 'remote_agents', 'a2a'] as const

export type BuiltinModName = typeof BUILTIN_MOD_NAMES[number]
