import { AgentEvent } from '@a2a-js/sdk/server'
import { TaskState } from '@a2a-js/sdk'
import { agentMessage, dataPart, payloadOf, replyText, textPart } from './parts.js'
import type { AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server'
import type { Task } from '@a2a-js/sdk'

/** Sends a direct request to the agent and resolves with its reply payload. */
export type AskAgent = (payload: unknown, signal: AbortSignal) => Promise<unknown>

/** Tasks running at once, shared by the executors of one gateway. */
export interface TaskSlots {
  /** Takes a slot; false when every slot is taken. */
  take: () => boolean
  release: () => void
  readonly limit: number
}

function status (taskId: string, contextId: string, state: TaskState, text?: string): ReturnType<typeof AgentEvent.statusUpdate> {
  return AgentEvent.statusUpdate({
    taskId,
    contextId,
    status: { state, message: text == null ? undefined : agentMessage(text, taskId, contextId), timestamp: new Date().toISOString() },
    metadata: undefined
  })
}

/**
 * Runs A2A messages as direct requests to one agent of the node: each message is a task,
 * `working` while the agent thinks, `completed` with its answer as an artifact (the text,
 * and the reply payload as data) and as the status message, `failed` with the reason
 * when the request fails, `canceled` when the client cancels it, `rejected` when every
 * slot of the gateway is taken.
 *
 * @example
 * ```ts
 * const executor = new DirectExecutor(async (payload, signal) => (await channels.request({ ..., payload, signal })).payload, slots)
 * new DefaultRequestHandler(card, store.tasksOf('python_expert'), executor)
 * ```
 */
export class DirectExecutor implements AgentExecutor {
  private readonly ask: AskAgent
  private readonly slots: TaskSlots
  private readonly onBusy: () => void
  private readonly running = new Map<string, { controller: AbortController, contextId: string }>()

  constructor (ask: AskAgent, slots: TaskSlots, onBusy: () => void = () => {}) {
    this.ask = ask
    this.slots = slots
    this.onBusy = onBusy
  }

  execute = async (context: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId, userMessage } = context
    const task: Task = context.task ?? {
      id: taskId,
      contextId,
      status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
      artifacts: [],
      history: [userMessage],
      metadata: undefined
    }
    bus.publish(AgentEvent.task(task))
    const payload = payloadOf(userMessage.parts)
    if (payload === undefined) {
      bus.publish(status(taskId, contextId, TaskState.TASK_STATE_REJECTED, 'the message has no text or data part to ask the agent'))
      return
    }
    if (!this.slots.take()) {
      this.onBusy()
      bus.publish(status(taskId, contextId, TaskState.TASK_STATE_REJECTED, `the gateway runs ${this.slots.limit} tasks already (a2a.maxRunningTasks); send the message again later`))
      return
    }
    const controller = new AbortController()
    this.running.set(taskId, { controller, contextId })
    bus.publish(status(taskId, contextId, TaskState.TASK_STATE_WORKING))
    try {
      const reply = await this.ask(payload, controller.signal)
      if (controller.signal.aborted) return
      const text = replyText(reply)
      bus.publish(AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: { artifactId: `${taskId}-answer`, name: 'answer', description: 'the agent\'s reply', parts: [textPart(text), dataPart(reply)], metadata: undefined, extensions: [] },
        append: false,
        lastChunk: true,
        metadata: undefined
      }))
      bus.publish(status(taskId, contextId, TaskState.TASK_STATE_COMPLETED, text))
    } catch (err) {
      // a canceled task's status is published by cancelTask
      if (!controller.signal.aborted) bus.publish(status(taskId, contextId, TaskState.TASK_STATE_FAILED, (err as Error).message))
    } finally {
      if (this.running.delete(taskId)) this.slots.release()
    }
  }

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const run = this.running.get(taskId)
    if (run == null) return
    run.controller.abort(new Error('the client canceled the task'))
    this.running.delete(taskId)
    this.slots.release()
    bus.publish(status(taskId, run.contextId, TaskState.TASK_STATE_CANCELED, 'canceled by the client'))
  }

  /** Aborts every running task (the node is stopping). */
  abortAll (): void {
    for (const { controller } of this.running.values()) {
      controller.abort(new Error('the node is stopping'))
      this.slots.release()
    }
    this.running.clear()
  }
}
