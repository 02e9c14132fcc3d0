/**
 * Groups of words that mean nearly the same thing in developer support. The local
 * embedder gives every word of a group a shared feature, so paraphrases that swap these
 * words still land close together.
 */
export const CONCEPTS: string[][] = [
  ['hang', 'hangs', 'hanging', 'stuck', 'freeze', 'freezes', 'frozen', 'block', 'blocks', 'blocked', 'blocking', 'deadlock', 'unresponsive', 'stall', 'stalls'],
  ['slow', 'slowly', 'latency', 'lag', 'sluggish', 'performance', 'speed', 'fast', 'faster', 'quick'],
  ['crash', 'crashes', 'crashed', 'dies', 'die', 'killed', 'oom', 'exit', 'exits', 'segfault', 'panic'],
  ['error', 'errors', 'exception', 'exceptions', 'failure', 'fails', 'failed', 'failing', 'broken', 'traceback', 'bug'],
  ['deploy', 'deploys', 'deployed', 'deploying', 'deployment', 'deployments', 'rollout', 'release', 'ship', 'production', 'prod'],
  ['kubernetes', 'k8s', 'kubectl', 'pod', 'pods', 'cluster', 'helm', 'node', 'nodes'],
  ['container', 'containers', 'docker', 'image', 'images', 'dockerfile', 'podman'],
  ['asyncio', 'async', 'await', 'coroutine', 'coroutines', 'event', 'loop', 'concurrent', 'concurrency', 'task', 'tasks'],
  ['thread', 'threads', 'threading', 'parallel', 'multiprocessing', 'process', 'processes', 'gil'],
  ['install', 'installs', 'installed', 'installing', 'setup', 'pip', 'dependency', 'dependencies', 'package', 'packages', 'requirements'],
  ['memory', 'ram', 'leak', 'leaks', 'heap', 'rss', 'allocation'],
  ['recall', 'accuracy', 'precision', 'relevance', 'quality'],
  ['index', 'indexes', 'indices', 'indexing', 'hnsw', 'ivf', 'ivf_flat', 'ivf_pq', 'diskann', 'autoindex'],
  ['vector', 'vectors', 'embedding', 'embeddings', 'dense', 'similarity', 'ann', 'nearest', 'neighbor', 'neighbors'],
  ['search', 'query', 'queries', 'lookup', 'retrieve', 'retrieval', 'find'],
  ['collection', 'collections', 'table', 'tables', 'schema', 'partition', 'partitions', 'shard', 'shards'],
  ['milvus', 'zilliz', 'attu', 'pymilvus'],
  ['config', 'configure', 'configuration', 'settings', 'setting', 'option', 'options', 'parameter', 'parameters', 'param', 'params', 'tune', 'tuning'],
  ['timeout', 'timeouts', 'timed', 'deadline', 'wait', 'waiting'],
  ['network', 'connection', 'connections', 'connect', 'dns', 'socket', 'port', 'ports', 'unreachable', 'refused'],
  ['log', 'logs', 'logging', 'logger', 'trace', 'debug', 'debugging'],
  ['test', 'tests', 'testing', 'pytest', 'unittest', 'mock', 'fixture', 'fixtures'],
  ['ci', 'pipeline', 'pipelines', 'github', 'actions', 'jenkins', 'gitlab', 'build', 'builds'],
  ['secret', 'secrets', 'credential', 'credentials', 'password', 'token', 'tokens', 'key', 'keys', 'auth', 'authentication'],
  ['scale', 'scaling', 'autoscale', 'autoscaling', 'replicas', 'replica', 'horizontal', 'hpa'],
  ['restart', 'restarts', 'restarting', 'crashloop', 'crashloopbackoff', 'backoff', 'liveness', 'readiness', 'probe', 'probes'],
  ['storage', 'disk', 'volume', 'volumes', 'pvc', 'persistent', 'persist', 'mount', 'mounts'],
  ['django', 'flask', 'fastapi', 'web', 'framework', 'wsgi', 'asgi', 'uvicorn', 'gunicorn'],
  ['python', 'py', 'cpython', 'interpreter', 'venv', 'virtualenv'],
  ['insert', 'inserts', 'ingest', 'ingestion', 'upsert', 'load', 'loading', 'write', 'writes', 'import'],
  ['delete', 'deletes', 'remove', 'removes', 'drop', 'purge'],
  ['monitor', 'monitoring', 'metrics', 'prometheus', 'grafana', 'alert', 'alerts', 'observability'],
  ['cpu', 'cpus', 'core', 'cores', 'gpu', 'gpus', 'cuda'],
  ['environment', 'env', 'variable', 'variables', 'environ']
]
