import { request } from 'node:http'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { serveApi } from '../../src/api/index.js'
import { sessionCookieName } from '../../src/api/studio/cookie.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import type { ServedApi, StatusAnswer } from '../../src/api/index.js'
import type { OaNode } from '../../src/node/index.js'

interface Reply { status: number, headers: Headers, text: string }

describe('the Studio on the API port', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  let api: ServedApi
  let base: string
  let origin: string

  beforeAll(async () => {
    dir = await tempDir()
    // a built Studio of two files: the server's part is tested apart from the front-end's build
    const studioDir = join(dir.path, 'studio-build')
    await mkdir(join(studioDir, 'assets'), { recursive: true })
    await writeFile(join(studioDir, 'index.html'), '<!doctype html><title>Studio</title><div id="root"></div>')
    await writeFile(join(studioDir, 'assets', 'app-1234.js'), 'console.log("studio")')
    node = await startTestNode(dir.path, 'n1', { communities: ['devsupport'] })
    api = await serveApi(node, { port: 0, studioDir })
    base = api.url
    origin = api.url
  })

  afterAll(async () => {
    await api.stop()
    await node.stop()
    await dir.cleanup()
  })

  async function call (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> {
    const res = await fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: res.status, headers: res.headers, text: await res.text() }
  }

  function codeOf (reply: Reply): string | undefined {
    return (JSON.parse(reply.text) as { error?: { code: string } }).error?.code
  }

  /** The `name=value` of the session cookie a reply sets. */
  function cookieOf (reply: Reply): string {
    const header = reply.headers.get('set-cookie') ?? ''
    const pair = header.split(';')[0] ?? ''
    expect(pair.startsWith(`${sessionCookieName(Number(new URL(base).port))}=`)).toBe(true)
    return pair
  }

  async function signIn (): Promise<string> {
    const reply = await call('POST', '/studio/session', { origin }, { token: api.token })
    expect(reply.status).toBe(200)
    return cookieOf(reply)
  }

  async function refusals (reason: string): Promise<number> {
    const reply = await call('GET', '/v1/status', { authorization: `Bearer ${api.token}` })
    return (JSON.parse(reply.text) as StatusAnswer).api.rejected.byReason[reason] ?? 0
  }

  it('serves the built app: pages get index.html, hashed assets are cached for good, nothing outside the folder', async () => {
    const bare = await call('GET', '/studio')
    expect(bare.status).toBe(308)
    expect(bare.headers.get('location')).toBe('/studio/')
    const index = await call('GET', '/studio/')
    expect(index.status).toBe(200)
    expect(index.text).toContain('<div id="root">')
    expect(index.headers.get('content-type')).toContain('text/html')
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    const page = await call('GET', '/studio/memory')
    expect(page.text).toBe(index.text)
    const asset = await call('GET', '/studio/assets/app-1234.js')
    expect(asset.text).toBe('console.log("studio")')
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect((await call('GET', '/studio/assets/missing.js')).status).toBe(404)
    // a path that climbs out of /studio/ is no Studio file: it lands on the API, which wants the token
    const climb = await call('GET', '/studio/%2e%2e/api.token')
    expect(climb.status).toBe(401)
    expect(climb.text).not.toContain(api.token)
    expect((await call('GET', '/studio/a%2fb/..%2f..%2fapi.token')).status).toBe(404)
    // a page of another site whose name points at 127.0.0.1 (DNS rebinding) sends its own Host
    const evil = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(new URL(base).port), path: '/studio/', headers: { host: 'evil.example' }, setHost: false, agent: false }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(evil).toBe(421)
  })

  it('answers 503 naming the build command when the Studio was never built', async () => {
    const bare = await serveApi(node, { port: 0, studioDir: join(dir.path, 'nothing-here') })
    try {
      const res = await fetch(`${bare.url}/studio/`)
      expect(res.status).toBe(503)
      const body = await res.json() as { error: { code: string, message: string } }
      expect(body.error.code).toBe('studio_not_built')
      expect(body.error.message).toContain('npm run build')
    } finally {
      await bare.stop()
    }
  })

  it('signs in with the token for an HttpOnly, SameSite=Strict cookie the API then accepts', async () => {
    expect((await call('GET', '/studio/session')).status).toBe(401)
    expect((await call('GET', '/v1/status')).status).toBe(401)
    const before = await refusals('unauthorized')
    const wrong = await call('POST', '/studio/session', { origin }, { token: 'f'.repeat(64) })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    expect(await refusals('unauthorized')).toBe(before + 1)
    const reply = await call('POST', '/studio/session', { origin }, { token: api.token })
    expect(reply.status).toBe(200)
    const setCookie = reply.headers.get('set-cookie') ?? ''
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')
    expect(setCookie).not.toContain(api.token)
    const cookie = cookieOf(reply)
    expect((await call('GET', '/studio/session', { cookie })).status).toBe(200)
    const status = await call('GET', '/v1/status', { cookie })
    expect(status.status).toBe(200)
    expect((JSON.parse(status.text) as StatusAnswer).peerId).toBe(node.peerId.toString())
    // another node's cookie name is another port's: this node does not take it
    const otherName = `${sessionCookieName(Number(new URL(base).port) + 1)}=${cookie.split('=')[1] ?? ''}`
    expect((await call('GET', '/v1/status', { cookie: otherName })).status).toBe(401)
  })

  it('takes a change on the cookie only with this node\'s Origin, and never from another page', async () => {
    const cookie = await signIn()
    const path = '/v1/communities/devsupport/channels/general/messages'
    const noOrigin = await call('POST', path, { cookie }, { text: 'no origin' })
    expect(noOrigin.status).toBe(403)
    expect(codeOf(noOrigin)).toBe('bad_origin')
    const foreign = await call('POST', path, { cookie, origin: 'http://127.0.0.1:1' }, { text: 'foreign' })
    expect(foreign.status).toBe(403)
    expect(codeOf(foreign)).toBe('bad_origin')
    const own = await call('POST', path, { cookie, origin }, { text: 'from the Studio' })
    expect(own.status).toBe(201)
    const history = await call('GET', path, { cookie })
    const texts = (JSON.parse(history.text) as { messages: Array<{ payload: { text?: string } }> }).messages.map(m => m.payload.text)
    expect(texts).toEqual(['from the Studio'])
  })

  it('opens the events WebSocket on the cookie with this node\'s Origin only', async () => {
    const cookie = await signIn()
    const url = `${base.replace('http', 'ws')}/v1/events`
    const open = async (headers: Record<string, string>, wsOrigin?: string): Promise<number> => await new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ['oa-events'], { headers, ...(wsOrigin == null ? {} : { origin: wsOrigin }) })
      ws.once('open', () => { ws.close(); resolve(101) })
      ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0) })
      ws.once('error', reject)
    })
    expect(await open({ cookie }, origin)).toBe(101)
    expect(await open({ cookie })).toBe(403)
    expect(await open({ cookie }, 'http://evil.example')).toBe(403)
    expect(await open({}, origin)).toBe(401)
  })

  it('signs a browser in once with a code only a holder of the token can get', async () => {
    expect((await call('POST', '/studio/codes', { origin }, {})).status).toBe(401)
    // a signed-in page cannot mint codes for others
    const cookie = await signIn()
    expect((await call('POST', '/studio/codes', { cookie, origin }, {})).status).toBe(401)
    const issued = await call('POST', '/studio/codes', { authorization: `Bearer ${api.token}` }, {})
    expect(issued.status).toBe(201)
    const { code, url } = JSON.parse(issued.text) as { code: string, url: string }
    expect(url).toBe(`${base}/studio/sign-in?code=${code}`)
    expect(url).not.toContain(api.token)
    const first = await call('GET', `/studio/sign-in?code=${code}`)
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/studio/')
    expect((await call('GET', '/v1/status', { cookie: cookieOf(first) })).status).toBe(200)
    const again = await call('GET', `/studio/sign-in?code=${code}`)
    expect(again.status).toBe(401)
    expect(again.headers.get('set-cookie')).toBeNull()
    expect(again.text).toContain('used or expired')
    // the same kind of code through the form
    const second = JSON.parse((await call('POST', '/studio/codes', { authorization: `Bearer ${api.token}` }, {})).text) as { code: string }
    expect((await call('POST', '/studio/session', { origin }, { code: second.code })).status).toBe(200)
    const reused = await call('POST', '/studio/session', { origin }, { code: second.code })
    expect(reused.status).toBe(401)
    expect(codeOf(reused)).toBe('bad_code')
  })

  it('signs out: the cookie is cleared and no longer accepted', async () => {
    const cookie = await signIn()
    const out = await call('POST', '/studio/session/end', { cookie, origin })
    expect(out.status).toBe(200)
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0')
    expect((await call('GET', '/v1/status', { cookie })).status).toBe(401)
  })

  it('refuses a token in a Studio URL and bad sign-in bodies, naming the problem', async () => {
    const inQuery = await call('GET', `/studio/?token=${api.token}`)
    expect(inQuery.status).toBe(400)
    expect(codeOf(inQuery)).toBe('token_in_query')
    const extra = await call('POST', '/studio/session', { origin }, { token: api.token, admin: true })
    expect(extra.status).toBe(400)
    const notJson = await fetch(`${base}/studio/session`, { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: 'token' })
    expect(notJson.status).toBe(415)
    expect((await call('DELETE', '/studio/session', { origin })).status).toBe(405)
    expect((await call('POST', '/studio/', { origin }, {})).status).toBe(405)
  })
})
