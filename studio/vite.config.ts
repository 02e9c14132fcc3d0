import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import type { Connect, Plugin, ProxyOptions } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const outDir = fileURLToPath(new URL('../dist/studio', import.meta.url))

/**
 * `npm run studio:dev` serves the page with hot reload and forwards `/v1` (WebSocket
 * included) to the node named by STUDIO_DEV_API, adding the
 * node's API token from STUDIO_DEV_TOKEN to each forwarded request.
 */
function devProxy (): Record<string, ProxyOptions> | undefined {
  const target = process.env.STUDIO_DEV_API
  if (target == null || target === '') return undefined
  const token = process.env.STUDIO_DEV_TOKEN ?? ''
  const headers = token === '' ? undefined : { authorization: `Bearer ${token}` }
  const common: ProxyOptions = {
    target,
    changeOrigin: true,
    ...(headers == null ? {} : { headers }),
    // the node answers only to its own Origin: a forwarded request carries none
    configure: (proxy) => {
      proxy.on('proxyReq', (req) => { req.removeHeader('origin') })
      proxy.on('proxyReqWs', (req) => { req.removeHeader('origin') })
    }
  }
  return {
    '/v1': { ...common, ws: true },
    // without a token here, the node's own session endpoints sign the page in
    ...(token === '' ? { '/studio/session': common } : {})
  }
}

/**
 * With STUDIO_DEV_TOKEN set the proxy authenticates every request itself, so the dev
 * server answers Studio's session endpoints: always signed in.
 */
function devSession (): Plugin {
  const answer: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url?.startsWith('/studio/session') !== true || (process.env.STUDIO_DEV_TOKEN ?? '') === '') {
      next()
      return
    }
    res.setHeader('content-type', 'application/json; charset=utf-8')
    res.end(JSON.stringify({ signedIn: true }))
  }
  return {
    name: 'oa-studio-dev-session',
    configureServer: (server) => { server.middlewares.use(answer) },
    configurePreviewServer: (server) => { server.middlewares.use(answer) }
  }
}

export default defineConfig({
  root,
  base: '/studio/',
  plugins: [react(), devSession()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2000
  },
  server: {
    host: '127.0.0.1',
    proxy: devProxy()
  },
  preview: {
    host: '127.0.0.1',
    proxy: devProxy()
  }
})
