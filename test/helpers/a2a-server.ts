import { createServer } from 'node:http'
import express from 'express'
import { Role, TaskState } from '@a2a-js/sdk'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server'
import { agentCardHandler, jsonRpcHandler, restHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import type { AgentCard } from '@a2a-js/sdk'
import type { AgentExecutor } from '@a2a-js/sdk/server'
import type { AddressInfo } from 'node:net'

/** An A2A agent server of someone else's, built only with @a2a-js/sdk and express, as its docs show. */
export interface ExternalA2AServer {
  url: string
  /** Each message it received: its text and the Authorization header it came with. */
  received: Array<{ text: string, authorization?: string, metadata?: Record<string, unknown> }>
  close: () => Promise<void>
}

/**
 * Starts a weather agent on 127.0.0.1: skills `weather` (tags forecast, rain), JSON-RPC
 * and HTTP+JSON, answering every message with a completed task whose artifact is
 * `sunny in <text>` (a message about a storm fails its task); the bindings require `Authorization: Bearer <token>`.
 */
export async function startWeatherAgent (token: string): Promise<ExternalA2AServer> {
  const received: ExternalA2AServer['received'] = []
  const app = express()
  const server = createServer(app)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const card: AgentCard = {
    name: 'Weather Bot',
    description: 'Forecasts for any city',
    supportedInterfaces: [
      { url: `${url}/jsonrpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
      { url: `${url}/rest`, protocolBinding: 'HTTP+JSON', tenant: '', protocolVersion: '1.0' }
    ],
    provider: undefined,
    version: '2.1.0',
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'weather', name: 'Weather', description: 'today\'s forecast', tags: ['forecast', 'rain'], examples: ['Paris'], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: []
  }
  let lastAuthorization: string | undefined
  const executor: AgentExecutor = {
    execute: async (context, bus) => {
      const text = context.userMessage.parts.map(p => p.content?.$case === 'text' ? p.content.value : '').join('')
      received.push({ text, authorization: lastAuthorization, metadata: context.userMessage.metadata })
      const { taskId, contextId } = context
      bus.publish(AgentEvent.task({ id: taskId, contextId, status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: new Date().toISOString() }, artifacts: [], history: [context.userMessage], metadata: undefined }))
      if (text.includes('storm')) {
        const message = { messageId: crypto.randomUUID(), contextId, taskId, role: Role.ROLE_AGENT, parts: [{ content: { $case: 'text' as const, value: 'no forecast in a storm' }, metadata: undefined, filename: '', mediaType: 'text/plain' }], metadata: undefined, extensions: [], referenceTaskIds: [] }
        bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: TaskState.TASK_STATE_FAILED, message, timestamp: new Date().toISOString() }, metadata: undefined }))
        return
      }
      bus.publish(AgentEvent.artifactUpdate({ taskId, contextId, artifact: { artifactId: 'forecast', name: 'forecast', description: '', parts: [{ content: { $case: 'text', value: `sunny in ${text}` }, metadata: undefined, filename: '', mediaType: 'text/plain' }], metadata: undefined, extensions: [] }, append: false, lastChunk: true, metadata: undefined }))
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: new Date().toISOString() }, metadata: undefined }))
    },
    cancelTask: async () => {}
  }
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor)
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }))
  app.use((req, res, next) => {
    lastAuthorization = req.headers.authorization
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.status(401).json({ error: 'unauthorized' })
      return
    }
    next()
  })
  app.use('/jsonrpc', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  app.use('/rest', restHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  return {
    url,
    received,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
