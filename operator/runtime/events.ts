// Events (events.k8s.io/v1) for every transition a person should see in `kubectl describe` or
// `kubectl get events`. The same note about the same object is recorded once per window, so a
// controller that reconciles often does not flood the API.
import { randomBytes } from 'node:crypto'
import type { KubeClient } from './kube-client.ts'
import type { Logger } from './log.ts'
import { collectionPath, coreTypes, type KubeObject } from './resource.ts'

export interface EventInput {
  type: 'Normal' | 'Warning'
  reason: string
  action: string
  note: string
}

export class EventRecorder {
  private readonly client: KubeClient
  private readonly instance: string
  private readonly log: Logger
  private readonly recent = new Map<string, number>()
  private readonly windowMs: number

  constructor(client: KubeClient, instance: string, log: Logger, windowMs = 10 * 60_000) {
    this.client = client
    this.instance = instance
    this.log = log
    this.windowMs = windowMs
  }

  /** Records an event; failures are logged, never thrown: an event is not worth failing a reconcile. */
  async record(regarding: KubeObject, event: EventInput): Promise<void> {
    const now = Date.now()
    const dedupeKey = `${regarding.metadata.uid ?? ''}|${event.reason}|${event.note}`
    const last = this.recent.get(dedupeKey)
    if (last !== undefined && now - last < this.windowMs) return
    this.recent.set(dedupeKey, now)
    if (this.recent.size > 10_000) this.forgetOlderThan(now - this.windowMs)
    const namespace = regarding.metadata.namespace ?? 'default'
    try {
      await this.client.json('POST', collectionPath(coreTypes.event, namespace), {
        body: {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name: `${regarding.metadata.name}.${randomBytes(6).toString('hex')}`, namespace },
          eventTime: new Date(now).toISOString().replace('Z', '000Z'),
          reportingController: 'callcenter.dev/operator',
          reportingInstance: this.instance,
          action: event.action,
          reason: event.reason,
          note: event.note.slice(0, 1024),
          type: event.type,
          regarding: {
            apiVersion: regarding.apiVersion,
            kind: regarding.kind,
            name: regarding.metadata.name,
            namespace: regarding.metadata.namespace,
            uid: regarding.metadata.uid,
          },
        },
      })
    } catch (error) {
      this.log.warn({ err: (error as Error).message, reason: event.reason }, 'could not record event')
    }
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [key, at] of this.recent) if (at < cutoff) this.recent.delete(key)
  }
}
