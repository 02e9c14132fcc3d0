import { existsSync } from 'node:fs'
import { Task, TaskState } from '@a2a-js/sdk'
import { preparePrivateFileSync } from '../../files/private-files.js'
import { DatabaseSync } from '../../runtime/sqlite.js'
import { A2AStoreError } from './errors.js'
import { agentMessage } from './parts.js'
import type { RemoteAgentConfig } from './config.js'
import type { ListTasksRequest, ListTasksResponse } from '@a2a-js/sdk'
import type { TaskStore } from '@a2a-js/sdk/server'
import type { StatementSync } from '../../runtime/sqlite.js'

export { A2A_DB_FILE } from './files.js'

/** The schema of `a2a.db`. A task is its A2A JSON form; the columns beside it are what lists filter and sort on. */
export const A2A_SCHEMA = `CREATE TABLE IF NOT EXISTS tasks (
  agent TEXT NOT NULL,
  id TEXT NOT NULL,
  context_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  status_ts TEXT NOT NULL,
  task TEXT NOT NULL,
  PRIMARY KEY (agent, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_by_time ON tasks (agent, status_ts DESC, id DESC);
CREATE TABLE IF NOT EXISTS remote_agents (
  name TEXT PRIMARY KEY,
  community TEXT NOT NULL,
  url TEXT NOT NULL,
  token TEXT,
  added_at INTEGER NOT NULL
);`

const DEFAULT_PAGE_SIZE = 50

interface TaskRow { task: string, status_ts: string, id: string }

function encodeCursor (timestamp: string, id: string): string {
  return Buffer.from(JSON.stringify([timestamp, id])).toString('base64url')
}

function decodeCursor (token: string): [string, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return [value[0], value[1]]
  } catch {
    // not one of ours: an empty page, as for a cursor past the end
  }
  return undefined
}

/**
 * `a2a.db` (SQLite, WAL): the tasks the inbound gateway ran for each agent, kept across
 * restarts, and the external agents `oa-node a2a add` brought in.
 *
 * @example
 * ```ts
 * const db = A2AStore.open('n1/a2a.db')
 * const tasks = db.tasksOf('python_expert')   // a TaskStore for @a2a-js/sdk's request handler
 * db.close()
 * ```
 */
export class A2AStore {
  private readonly db: DatabaseSync
  private readonly upsert: StatementSync
  private readonly selectTask: StatementSync
  private readonly addRemote: StatementSync
  private readonly deleteRemote: StatementSync
  private readonly selectRemotes: StatementSync

  private constructor (db: DatabaseSync) {
    this.db = db
    this.upsert = db.prepare(`INSERT INTO tasks (agent, id, context_id, state, status_ts, task) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (agent, id) DO UPDATE SET context_id = excluded.context_id, state = excluded.state, status_ts = excluded.status_ts, task = excluded.task`)
    this.selectTask = db.prepare('SELECT task FROM tasks WHERE agent = ? AND id = ?')
    this.addRemote = db.prepare('INSERT OR REPLACE INTO remote_agents (name, community, url, token, added_at) VALUES (?, ?, ?, ?, ?)')
    this.deleteRemote = db.prepare('DELETE FROM remote_agents WHERE name = ?')
    this.selectRemotes = db.prepare('SELECT name, community, url, token FROM remote_agents ORDER BY rowid')
  }

  static open (path: string): A2AStore {
    let db: DatabaseSync | undefined
    try {
      preparePrivateFileSync(path, ['-wal', '-shm'])
      db = new DatabaseSync(path)
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;')
      db.exec(A2A_SCHEMA)
      return new A2AStore(db)
    } catch (err) {
      db?.close()
      throw new A2AStoreError(`cannot open ${path}: ${(err as Error).message}`)
    }
  }

  /** The tasks of one agent, as the A2A request handler stores and reads them. */
  tasksOf (agent: string): TaskStore {
    return {
      save: async (task) => { this.saveTask(agent, task) },
      load: async (id) => this.loadTask(agent, id),
      list: async (params) => this.listTasks(agent, params)
    }
  }

  /** Tasks kept, over every agent. */
  taskCount (): number {
    return (this.db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n
  }

  saveTask (agent: string, task: Task): void {
    const json = JSON.stringify(Task.toJSON(task))
    this.upsert.run(agent, task.id, task.contextId, task.status?.state ?? 0, task.status?.timestamp ?? '', json)
  }

  loadTask (agent: string, id: string): Task | undefined {
    const row = this.selectTask.get(agent, id) as { task: string } | undefined
    return row == null ? undefined : Task.fromJSON(JSON.parse(row.task))
  }

  /** One page of an agent's tasks, newest status first, filtered as ListTasks asks. */
  listTasks (agent: string, params: ListTasksRequest): ListTasksResponse {
    const where = ['agent = ?']
    const args: Array<string | number> = [agent]
    if (params.contextId !== '') {
      where.push('context_id = ?')
      args.push(params.contextId)
    }
    if (params.status !== TaskState.TASK_STATE_UNSPECIFIED) {
      where.push('state = ?')
      args.push(params.status)
    }
    if (params.statusTimestampAfter != null && params.statusTimestampAfter !== '') {
      where.push('status_ts > ?')
      args.push(new Date(params.statusTimestampAfter).toISOString())
    }
    const total = (this.db.prepare(`SELECT count(*) AS n FROM tasks WHERE ${where.join(' AND ')}`).get(...args) as { n: number }).n
    const pageSize = params.pageSize ?? DEFAULT_PAGE_SIZE
    if (params.pageToken !== '') {
      const cursor = decodeCursor(params.pageToken)
      if (cursor == null) return { tasks: [], nextPageToken: '', pageSize, totalSize: total }
      where.push('(status_ts < ? OR (status_ts = ? AND id < ?))')
      args.push(cursor[0], cursor[0], cursor[1])
    }
    const rows = this.db.prepare(`SELECT task, status_ts, id FROM tasks WHERE ${where.join(' AND ')} ORDER BY status_ts DESC, id DESC LIMIT ?`).all(...args, pageSize + 1) as unknown as TaskRow[]
    const page = rows.slice(0, pageSize)
    const last = page.at(-1)
    const tasks = page.map(row => {
      const task = Task.fromJSON(JSON.parse(row.task))
      if (params.includeArtifacts !== true) task.artifacts = []
      return task
    })
    return { tasks, nextPageToken: rows.length > pageSize && last != null ? encodeCursor(last.status_ts, last.id) : '', pageSize, totalSize: total }
  }

  /**
   * Ends the tasks a stopped node left submitted or working: no one answers them any
   * more, so they are `failed`, saying why. Returns how many.
   */
  failUnfinished (reason: string): number {
    const rows = this.db.prepare('SELECT agent, task FROM tasks WHERE state IN (?, ?)').all(TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING) as Array<{ agent: string, task: string }>
    for (const row of rows) {
      const task = Task.fromJSON(JSON.parse(row.task))
      const message = agentMessage(reason, task.id, task.contextId)
      task.status = { state: TaskState.TASK_STATE_FAILED, message, timestamp: new Date().toISOString() }
      task.history.push(message)
      this.saveTask(row.agent, task)
    }
    return rows.length
  }

  /** Remembers an external agent added at run time, so the node hosts it again after a restart. */
  saveRemote (name: string, remote: RemoteAgentConfig): void {
    this.addRemote.run(name, remote.community, remote.url, remote.token ?? null, Date.now())
  }

  removeRemote (name: string): boolean {
    return this.deleteRemote.run(name).changes > 0
  }

  /** The external agents added at run time, oldest first. */
  remotes (): Array<RemoteAgentConfig & { name: string }> {
    return (this.selectRemotes.all() as Array<{ name: string, community: string, url: string, token: string | null }>)
      .map(r => ({ name: r.name, community: r.community, url: r.url, ...(r.token == null ? {} : { token: r.token }) }))
  }

  close (): void {
    if (this.db.isOpen) this.db.close()
  }
}

/**
 * Reads a stopped node's `a2a.db` for `oa-node check`: SQLite's integrity check and every
 * task's JSON. Changes nothing; a missing file is sound (the gateway never ran).
 *
 * @example
 * ```ts
 * const { present, problems, tasks } = checkA2AFile('n1/a2a.db')
 * ```
 */
export function checkA2AFile (path: string): { present: boolean, problems: string[], tasks: number } {
  if (!existsSync(path)) return { present: false, problems: [], tasks: 0 }
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, { readOnly: true })
  } catch (err) {
    return { present: true, problems: [`${path}: cannot open: ${(err as Error).message}`], tasks: 0 }
  }
  const problems: string[] = []
  let tasks = 0
  try {
    const integrity = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>
    for (const row of integrity) if (row.integrity_check !== 'ok') problems.push(`${path}: ${row.integrity_check}`)
    for (const row of db.prepare('SELECT agent, id, task FROM tasks').iterate() as Iterable<{ agent: string, id: string, task: string }>) {
      tasks++
      try {
        Task.fromJSON(JSON.parse(row.task))
      } catch (err) {
        problems.push(`${path}: task ${row.id} of ${row.agent} does not decode: ${(err as Error).message}`)
      }
    }
  } catch (err) {
    problems.push(`${path}: ${(err as Error).message}`)
  } finally {
    db.close()
  }
  return { present: true, problems, tasks }
}
