/**
 * The store process: an embedded (LanceDB) store run in a child process of the node,
 * answering calls over IPC. Started by `ProcessStore`; not meant to be run by hand.
 *
 * It lives as long as its node wants it: it ignores the terminal's SIGINT and SIGTERM
 * (the node closes it after its own pending writes are done), and it exits at once
 * when the node goes away (the IPC channel closes), as a killed node would.
 */
import { restrictUmask } from '../../../files/private-files.js'
import { EmbeddedStore } from '../embedded.js'
import { isToHost, toWireError, unpackRecords } from './messages.js'
import type { FromHost, PackedRecord, StoreCall, ToHost } from './messages.js'

// every file LanceDB writes in this process is the node's alone (0600, folders 0700)
restrictUmask()

let store: EmbeddedStore | undefined
let closing = false

function send (msg: FromHost): Promise<void> {
  return new Promise(resolve => {
    if (process.connected && process.send != null) process.send(msg, undefined, {}, () => { resolve() })
    else resolve()
  })
}

function rss (): number {
  return process.memoryUsage.rss()
}

async function call (name: StoreCall, args: unknown[]): Promise<unknown> {
  if (store == null) throw new Error('the store is not open')
  const s = store
  switch (name) {
    case 'upsert': return s.upsert(unpackRecords(args[0] as PackedRecord[]))
    case 'search': return s.search(args[0] as Parameters<EmbeddedStore['search']>[0])
    case 'get': return s.get(args[0] as string[], args[1] as string[])
    case 'delete': return s.delete(args[0] as Parameters<EmbeddedStore['delete']>[0])
    case 'count': return s.count(args[0] as Parameters<EmbeddedStore['count']>[0])
    case 'stats': return s.stats(args[0] as string)
    case 'page': return s.page(args[0] as string, args[1] as string | undefined, args[2] as number)
    case 'versions': return s.versions(args[0] as string)
    case 'afterSeq': return s.afterSeq(args[0] as string, args[1] as string, args[2] as number, args[3] as number)
    case 'optimize': return s.optimize()
    case 'flushNow': return s.flushNow()
  }
}

async function onMessage (msg: ToHost): Promise<void> {
  switch (msg.type) {
    case 'open':
      try {
        store = await EmbeddedStore.open(msg.init)
        await send({ type: 'opened', rss: rss() })
      } catch (err) {
        await send({ type: 'failed', error: toWireError(err) })
        process.disconnect()
      }
      return
    case 'call':
      try {
        const value = await call(msg.call, msg.args)
        await send({ type: 'result', id: msg.id, value, rss: rss() })
      } catch (err) {
        await send({ type: 'result', id: msg.id, error: toWireError(err), rss: rss() })
      }
      return
    case 'close':
      closing = true
      try {
        await store?.close()
      } finally {
        process.disconnect()
      }
  }
}

process.on('message', (msg: unknown) => {
  if (!isToHost(msg)) {
    void send({ type: 'warning', message: `the store process ignored a message it does not know: ${JSON.stringify(msg)?.slice(0, 200)}` })
    return
  }
  void onMessage(msg)
})
// the node is gone without closing the store: stop as a killed node would (its
// unacknowledged writes were never promised to anyone); after a close, the store is already shut
process.on('disconnect', () => { process.exit(closing ? 0 : 1) })
process.on('warning', warning => { void send({ type: 'warning', message: warning.message }) })
process.on('SIGINT', () => {})
process.on('SIGTERM', () => {})
