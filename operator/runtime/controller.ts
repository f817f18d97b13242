// A controller: reconciles the keys of one primary kind, queued when the primary object changes or
// when a watched object (an owned Deployment, an AgentSeat homed at a Site) maps back to it.
import type { Logger } from './log.ts'
import type { Informer } from './informer.ts'
import type { OperatorMetrics } from './metrics.ts'
import { objectKey, type KubeObject } from './resource.ts'
import { WorkQueue } from './workqueue.ts'

export interface ReconcileResult {
  /** Reconcile this key again after this long even if nothing changes (e.g. to poll health). */
  requeueAfterMs?: number
}

export type Reconciler = (key: string) => Promise<ReconcileResult | undefined>

export interface Watch<T extends KubeObject> {
  informer: Informer<T>
  /** Keys of the primary objects a change of this object concerns. */
  map: (object: T) => string[]
  /** Ignore updates that leave metadata.generation as it was (status-only changes). */
  specChangesOnly?: boolean
  /** Finer than specChangesOnly: an update counts only when this says it changed something the controller reads. */
  relevant?: (previous: T, object: T) => boolean
}

/** An update that changed only status (and metadata other than deletion) keeps the generation. */
export function specChanged(previous: KubeObject, object: KubeObject): boolean {
  return (
    previous.metadata.generation !== object.metadata.generation || previous.metadata.deletionTimestamp !== object.metadata.deletionTimestamp
  )
}

function relevantUpdate<T extends KubeObject>(
  filter: { specChangesOnly?: boolean; relevant?: (previous: T, object: T) => boolean },
  previous: T,
  object: T,
): boolean {
  if (filter.relevant) return filter.relevant(previous, object)
  return !filter.specChangesOnly || specChanged(previous, object)
}

export interface ControllerOptions<P extends KubeObject> {
  name: string
  primary: Informer<P>
  reconcile: Reconciler
  workers?: number
  /** Reconcile the primary object only when its spec changed, not on status updates (its own included). */
  specChangesOnly?: boolean
  /** Finer than specChangesOnly: reconcile on an update only when this says it changed something the controller reads. */
  relevant?: (previous: P, object: P) => boolean
  log: Logger
  metrics: OperatorMetrics
}

/** Keys of the objects this one's controller ownerReference points at, of the given kind. */
export function controllerOwnerKeys(kind: string) {
  return (object: KubeObject): string[] => {
    const owner = object.metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === kind)
    return owner ? [`${object.metadata.namespace ?? ''}/${owner.name}`] : []
  }
}

export class Controller<P extends KubeObject> {
  readonly name: string
  readonly queue = new WorkQueue()
  private readonly options: ControllerOptions<P>
  private readonly informers: Informer<KubeObject>[] = []
  private workers: Promise<void>[] = []

  constructor(options: ControllerOptions<P>) {
    this.options = options
    this.name = options.name
    this.informers.push(options.primary as unknown as Informer<KubeObject>)
    const enqueue = (object: P) => {
      this.queue.add(objectKey(object))
    }
    options.primary.addHandlers({
      add: enqueue,
      update: (previous, object) => {
        if (relevantUpdate(options, previous, object)) enqueue(object)
      },
      delete: enqueue,
    })
  }

  watch<T extends KubeObject>(watch: Watch<T>): this {
    this.informers.push(watch.informer as unknown as Informer<KubeObject>)
    const enqueue = (object: T) => {
      for (const key of watch.map(object)) this.queue.add(key)
    }
    watch.informer.addHandlers({
      add: enqueue,
      update: (previous, object) => {
        if (!relevantUpdate(watch, previous, object)) return
        enqueue(previous)
        enqueue(object)
      },
      delete: enqueue,
    })
    return this
  }

  /** Starts the workers once every informer it reads has synced. */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.waitForSync()))
    const count = this.options.workers ?? 4
    this.workers = Array.from({ length: count }, () => this.work())
  }

  async stop(): Promise<void> {
    this.queue.shutdown()
    await Promise.all(this.workers)
  }

  private async work(): Promise<void> {
    const { log, metrics, reconcile } = this.options
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      const started = performance.now()
      try {
        const result = await reconcile(key)
        this.queue.forget(key)
        if (result?.requeueAfterMs) this.queue.addAfter(key, result.requeueAfterMs)
        metrics.reconciles.inc({ controller: this.name, result: 'success' })
      } catch (error) {
        metrics.reconciles.inc({ controller: this.name, result: 'error' })
        log.warn({ controller: this.name, key, err: (error as Error).message }, 'reconcile failed: retrying with backoff')
        this.queue.addRateLimited(key)
      } finally {
        metrics.reconcileSeconds.observe({ controller: this.name }, (performance.now() - started) / 1000)
        this.queue.done(key)
      }
    }
  }
}
