import { Capture } from './capture.js'
import type { CaptureStatus } from './capture.js'
import type { Memory } from './service.js'
import type { Channels } from '../channels/channels.js'
import type { ObservedEvent } from '../channels/context.js'
import type { NodeConfig } from '../config/schema.js'
import type { ComponentLogger, Logger, PeerId, Startable } from '@libp2p/interface'

export interface MemoryCaptureComponents {
  peerId: PeerId
  logger: ComponentLogger
  channels: Channels
  memory: Memory
}

export interface MemoryCaptureInit {
  settings: Pick<NodeConfig['memory'], 'enabled' | 'capture' | 'maxTextBytes'>
}

/**
 * Automatic capture as a service of its own: it consumes the channel events of the
 * communities the node joined and writes them through the memory service's
 * `rememberMany`, like any other caller (see `Capture`).
 *
 * @example
 * ```ts
 * const { position, posts } = node.libp2p.services.capture.status() ?? { position: 0, posts: 0 }
 * ```
 */
export class MemoryCapture implements Startable {
  private readonly components: MemoryCaptureComponents
  private readonly init: MemoryCaptureInit
  private readonly log: Logger
  private capture?: Capture

  constructor (components: MemoryCaptureComponents, init: MemoryCaptureInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:memory:capture')
  }

  readonly [Symbol.toStringTag] = 'oa:memory-capture'

  isStarted (): boolean {
    return this.capture != null
  }

  start (): void {}

  /** Starts once memory runs: posts of the log not captured yet are captured first. */
  afterStart (): void {
    const { memory, channels, peerId } = this.components
    if (!this.init.settings.enabled || !memory.isStarted()) return
    const self = peerId.toString()
    this.capture = new Capture({
      postLog: () => channels.postLog(),
      self,
      settings: this.init.settings,
      target: {
        communities: () => channels.communities(),
        rememberMany: async (community, inputs) => memory.rememberMany(community, inputs),
        held: async (community, ids) => (await memory.get(community, ids, { origin: self })).map(r => r.id)
      },
      log: this.log
    })
    channels.addEventListener('event', this.onEvent)
    channels.addEventListener('membership', this.onMembership)
    this.capture.start()
  }

  /** Finishes the capture batch in flight while the channel history and memory are still open. */
  async beforeStop (): Promise<void> {
    this.components.channels.removeEventListener('event', this.onEvent)
    this.components.channels.removeEventListener('membership', this.onMembership)
    await this.capture?.stop()
  }

  stop (): void {
    this.capture = undefined
  }

  /**
   * What automatic capture has done: the post log position captured up to, posts and
   * direct exchanges written, passed over, refused. Undefined while it does not run.
   *
   * @example
   * ```ts
   * node.libp2p.services.capture.status()?.posts   // 12
   * ```
   */
  status (): CaptureStatus | undefined {
    return this.capture?.status()
  }

  private readonly onEvent = (evt: CustomEvent<ObservedEvent>): void => {
    if (this.components.channels.communities().includes(evt.detail.event.community)) this.capture?.observe(evt.detail)
  }

  /** Posts of a community joined late (at start, the channels service joins after memory starts) are captured now. */
  private readonly onMembership = (evt: CustomEvent<{ community: string, joined: boolean }>): void => {
    if (evt.detail.joined) this.capture?.wake()
  }
}

/** The capture service factory for `createLibp2p`'s services. */
export function memoryCapture (init: MemoryCaptureInit): (components: MemoryCaptureComponents) => MemoryCapture {
  return (components) => new MemoryCapture(components, init)
}
