/**
 * Node configuration: one typed `NodeConfig`, built from defaults, a YAML file,
 * `OA_*` environment variables and command-line flags, and validated at the edge.
 *
 * @example
 * ```ts
 * import { loadConfig } from 'oa-node'
 * const config = await loadConfig({ file: 'node.yaml', env: process.env })
 * ```
 */
export { loadConfig, loadConfigFile, configFromEnv, validateLayer, mergeLayers, resolveDataDir, dottedPath, ENV_VARS, DEFAULT_DATA_DIR } from './load.js'
export type { LoadConfigOptions, DescribePath } from './load.js'
export { ConfigError } from './errors.js'
export { DEFAULTS, COMMUNITY_NAME, LOG_LEVELS, LOG_FORMATS, DEFAULT_API_PORT, DEFAULT_TCP_PORT, DEFAULT_WS_PORT, configLayerSchema } from './schema.js'
export type { NodeConfig, ConfigLayer } from './schema.js'
