import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

interface ChatRequest {
  model: string
  messages: Array<{ role: string, content: string }>
}

/**
 * A local OpenAI-compatible server for tests: `POST /v1/chat/completions` answers
 * `stub answer to: <last user message>` and reports token usage from word counts.
 * `failFirst` answers that many requests with 429 first; `status` answers everything
 * with that status.
 */
export async function startLlmStub (options: { failFirst?: number, status?: number } = {}) {
  const requests: ChatRequest[] = []
  let failures = options.failFirst ?? 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => { body += d.toString() })
    req.on('end', () => {
      const send = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify(value))
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        send(404, { error: { message: `no route ${req.method ?? ''} ${req.url ?? ''}` } })
        return
      }
      const request = JSON.parse(body) as ChatRequest
      requests.push(request)
      if (options.status != null) {
        send(options.status, { error: { message: 'stub refuses', type: 'invalid_request_error' } })
        return
      }
      if (failures > 0) {
        failures--
        send(429, { error: { message: 'slow down' } }, { 'retry-after-ms': '10' })
        return
      }
      const last = [...request.messages].reverse().find(m => m.role === 'user')?.content ?? ''
      const prompt = request.messages.map(m => m.content).join(' ').split(/\s+/).length
      const content = `stub answer to: ${last}`
      send(200, {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: content.split(/\s+/).length, total_tokens: prompt + content.split(/\s+/).length }
      })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  return {
    url,
    requests,
    stop: async () => { await new Promise(resolve => server.close(resolve)) }
  }
}
