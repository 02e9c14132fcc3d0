import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import type { ProxyOptions } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const outDir = fileURLToPath(new URL('../dist/studio', import.meta.url))

/**
 * `npm run studio:dev` serves the page with hot reload and forwards `/v1` (WebSocket
 * included) and `/studio/session` to the node named by OA_STUDIO_API, adding the
 * node's API token from OA_STUDIO_TOKEN to each forwarded request.
 */
function devProxy (): Record<string, ProxyOptions> | undefined {
  const target = process.env.OA_STUDIO_API
  if (target == null || target === '') return undefined
  const token = process.env.OA_STUDIO_TOKEN ?? ''
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
    '/studio/session': common
  }
}

export default defineConfig({
  root,
  base: '/studio/',
  plugins: [react()],
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
