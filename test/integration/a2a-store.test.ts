import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Role, TaskState } from '@a2a-js/sdk'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { A2AStore, checkA2AFile } from '../../src/mods/a2a/store.js'
import { DatabaseSync } from '../../src/runtime/sqlite.js'
import { tempDir } from '../helpers/tmp.js'
import type { ListTasksRequest, Task } from '@a2a-js/sdk'

function task (id: string, state: TaskState, timestamp: string, contextId = 'c1'): Task {
  const message = { messageId: `${id}-m`, contextId, taskId: id, role: Role.ROLE_USER, parts: [{ content: { $case: 'text' as const, value: `question ${id}` }, metadata: undefined, filename: '', mediaType: 'text/plain' }], metadata: undefined, extensions: [], referenceTaskIds: [] }
  return { id, contextId, status: { state, message: undefined, timestamp }, artifacts: [{ artifactId: `${id}-a`, name: 'answer', description: '', parts: message.parts, metadata: undefined, extensions: [] }], history: [message], metadata: undefined }
}

const query = (over: Partial<ListTasksRequest> = {}): ListTasksRequest => ({ tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageToken: '', statusTimestampAfter: undefined, ...over })

describe('a2a.db, the A2A gateway\'s store', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let path: string
  let store: A2AStore

  beforeEach(async () => {
    dir = await tempDir()
    path = join(dir.path, 'a2a.db')
    store = A2AStore.open(path)
  })

  afterEach(async () => {
    store.close()
    await dir.cleanup()
  })

  it('keeps each agent\'s tasks apart and reads them back after it is opened again', () => {
    store.saveTask('echo', task('t1', TaskState.TASK_STATE_COMPLETED, '2026-01-01T00:00:01.000Z'))
    store.saveTask('other', task('t1', TaskState.TASK_STATE_FAILED, '2026-01-01T00:00:02.000Z'))
    store.close()
    store = A2AStore.open(path)
    expect(store.loadTask('echo', 't1')?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(store.loadTask('other', 't1')?.status?.state).toBe(TaskState.TASK_STATE_FAILED)
    expect(store.loadTask('echo', 't2')).toBeUndefined()
    expect(store.loadTask('echo', 't1')?.history[0]?.parts[0]?.content).toEqual({ $case: 'text', value: 'question t1' })
  })

  it('lists newest status first, filters by context, state and time, and pages without repeats', () => {
    for (let i = 0; i < 5; i++) store.saveTask('echo', task(`t${i}`, i % 2 === 0 ? TaskState.TASK_STATE_COMPLETED : TaskState.TASK_STATE_CANCELED, `2026-01-01T00:00:0${i}.000Z`, i < 3 ? 'c1' : 'c2'))
    expect(store.listTasks('echo', query()).tasks.map(t => t.id)).toEqual(['t4', 't3', 't2', 't1', 't0'])
    expect(store.listTasks('echo', query({ contextId: 'c2' })).tasks.map(t => t.id)).toEqual(['t4', 't3'])
    expect(store.listTasks('echo', query({ status: TaskState.TASK_STATE_CANCELED })).tasks.map(t => t.id)).toEqual(['t3', 't1'])
    expect(store.listTasks('echo', query({ statusTimestampAfter: '2026-01-01T00:00:02.000Z' })).tasks.map(t => t.id)).toEqual(['t4', 't3'])
    expect(store.listTasks('echo', query()).tasks[0]?.artifacts).toEqual([])
    expect(store.listTasks('echo', query({ includeArtifacts: true })).tasks[0]?.artifacts.length).toBe(1)
    const pages: string[][] = []
    let pageToken = ''
    do {
      const page = store.listTasks('echo', query({ pageSize: 2, pageToken }))
      expect(page.totalSize).toBe(5)
      pages.push(page.tasks.map(t => t.id))
      pageToken = page.nextPageToken
    } while (pageToken !== '')
    expect(pages).toEqual([['t4', 't3'], ['t2', 't1'], ['t0']])
    expect(store.listTasks('echo', query({ pageToken: 'not a token' })).tasks).toEqual([])
  })

  it('fails the tasks a stopped node left submitted or working, and only those', () => {
    store.saveTask('echo', task('done', TaskState.TASK_STATE_COMPLETED, '2026-01-01T00:00:01.000Z'))
    store.saveTask('echo', task('running', TaskState.TASK_STATE_WORKING, '2026-01-01T00:00:02.000Z'))
    store.saveTask('echo', task('queued', TaskState.TASK_STATE_SUBMITTED, '2026-01-01T00:00:03.000Z'))
    expect(store.failUnfinished('the node stopped')).toBe(2)
    expect(store.loadTask('echo', 'done')?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    for (const id of ['running', 'queued']) {
      const ended = store.loadTask('echo', id)
      expect(ended?.status?.state).toBe(TaskState.TASK_STATE_FAILED)
      expect(ended?.status?.message?.parts[0]?.content).toEqual({ $case: 'text', value: 'the node stopped' })
    }
    expect(store.failUnfinished('again')).toBe(0)
  })

  it('remembers the external agents added at run time, with their tokens', () => {
    store.saveRemote('weather', { community: 'town', url: 'http://127.0.0.1:9000', token: 's3cret' })
    store.saveRemote('maps', { community: 'town', url: 'http://127.0.0.1:9001' })
    store.close()
    store = A2AStore.open(path)
    expect(store.remotes()).toEqual([
      { name: 'weather', community: 'town', url: 'http://127.0.0.1:9000', token: 's3cret' },
      { name: 'maps', community: 'town', url: 'http://127.0.0.1:9001' }
    ])
    expect(store.removeRemote('weather')).toBe(true)
    expect(store.removeRemote('weather')).toBe(false)
    expect(store.remotes().map(r => r.name)).toEqual(['maps'])
  })

  it('is checked by oa-node check: sound, absent, a task that does not decode, a file that is not SQLite', async () => {
    store.saveTask('echo', task('t1', TaskState.TASK_STATE_COMPLETED, '2026-01-01T00:00:01.000Z'))
    store.close()
    expect(checkA2AFile(path)).toEqual({ present: true, problems: [], tasks: 1 })
    expect(checkA2AFile(join(dir.path, 'none.db'))).toEqual({ present: false, problems: [], tasks: 0 })
    const db = new DatabaseSync(path)
    db.prepare("UPDATE tasks SET task = '{not json' WHERE id = 't1'").run()
    db.close()
    expect(checkA2AFile(path).problems).toEqual([expect.stringMatching(/task t1 of echo does not decode/)])
    const garbage = join(dir.path, 'garbage.db')
    await writeFile(garbage, 'this is not a database, but it is long enough to look like one to nobody')
    expect(checkA2AFile(garbage).problems[0]).toContain(garbage)
    store = A2AStore.open(path)
  })
})
