// The reflector and its cache: a paginated list, then a watch from the list's resourceVersion with
// bookmarks and a server-side timeout; a relist on 410 Gone; an inactivity watchdog that restarts a
// watch gone silent; and a restart after any other error, with backoff. Handlers see every change as
// add/update/delete, including the deletes a relist discovers.
import { ExponentialBackoff, isAborted, sleep } from './backoff.ts'
import { ApiError, type KubeClient } from './kube-client.ts'
import type { Logger } from './log.ts'
import { apiVersionOf, collectionPath, type KubeObject, type ResourceType } from './resource.ts'
import { Store } from './store.ts'

export interface InformerHandlers<T> {
  add?: (object: T) => void
  update?: (previous: T, object: T) => void
  delete?: (object: T) => void
}

export interface InformerOptions {
  namespace?: string
  labelSelector?: string
  pageSize?: number
  /** The server ends each watch after this long (plus jitter); the reflector then watches again. */
  watchTimeoutSeconds?: number
  /** A watch that delivers nothing, not even a bookmark, for this long is presumed dead and restarted. */
  inactivityTimeoutMs?: number
}

export interface InformerMetrics {
  relists: number
  watchRestarts: number
  events: number
}

interface ListResponse<T> {
  metadata: { resourceVersion: string; continue?: string }
  items: T[]
}

class Gone extends Error {}

/**
 * Drops what the operator never reads but a cache of 30,000 objects would pay for in memory: the
 * managed-fields bookkeeping of server-side apply and kubectl's last-applied copy of the whole object.
 */
function trimForCache(object: KubeObject): void {
  const metadata = object.metadata as KubeObject['metadata'] & { managedFields?: unknown }
  delete metadata.managedFields
  if (metadata.annotations) delete metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']
}

export class Informer<T extends KubeObject> {
  readonly type: ResourceType
  readonly store = new Store<T>()
  readonly metrics: InformerMetrics = { relists: 0, watchRestarts: 0, events: 0 }
  private readonly client: KubeClient
  private readonly options: Required<Omit<InformerOptions, 'namespace' | 'labelSelector'>> & InformerOptions
  private readonly handlers: InformerHandlers<T>[] = []
  private readonly log: Logger
  private resourceVersion = ''
  private synced = false
  private stopController: AbortController | undefined
  private running: Promise<void> | undefined
  private syncWaiters: (() => void)[] = []

  constructor(client: KubeClient, type: ResourceType, log: Logger, options: InformerOptions = {}) {
    this.client = client
    this.type = type
    this.log = log.child({ informer: type.plural })
    this.options = { pageSize: 500, watchTimeoutSeconds: 300, inactivityTimeoutMs: 150_000, ...options }
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers)
  }

  hasSynced(): boolean {
    return this.synced
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve()
    return new Promise((resolve) => this.syncWaiters.push(resolve))
  }

  start(): void {
    if (this.running) return
    this.stopController = new AbortController()
    this.running = this.run(this.stopController.signal)
  }

  async stop(): Promise<void> {
    this.stopController?.abort()
    await this.running
    this.running = undefined
  }

  private async run(stop: AbortSignal): Promise<void> {
    const backoff = new ExponentialBackoff(200, 30_000)
    let needList = true
    while (!stop.aborted) {
      try {
        if (needList) {
          await this.list(stop)
          needList = false
        }
        await this.watchOnce(stop)
        backoff.reset()
      } catch (error) {
        if (isAborted(stop)) break
        if (error instanceof Gone || (error instanceof ApiError && error.status === 410)) {
          this.log.info({ resourceVersion: this.resourceVersion }, 'resourceVersion too old (410 Gone): relisting')
          needList = true
          continue
        }
        this.metrics.watchRestarts++
        const delay = backoff.next()
        this.log.warn({ err: (error as Error).message, retryInMs: delay }, 'list/watch failed: restarting')
        await sleep(delay, stop)
      }
    }
  }

  private async list(stop: AbortSignal): Promise<void> {
    const items: T[] = []
    let continueToken: string | undefined
    let resourceVersion: string
    do {
      const page = await this.client.json<ListResponse<T>>('GET', collectionPath(this.type, this.options.namespace), {
        query: { limit: this.options.pageSize, continue: continueToken, labelSelector: this.options.labelSelector },
        signal: stop,
      })
      items.push(...page.items)
      continueToken = page.metadata.continue || undefined
      resourceVersion = page.metadata.resourceVersion
    } while (continueToken)
    // List items come without apiVersion and kind; the handlers want whole objects.
    for (const item of items) {
      item.apiVersion = this.apiVersion()
      item.kind = this.type.kind
    }
    this.replace(items)
    this.resourceVersion = resourceVersion
    this.metrics.relists++
    if (!this.synced) {
      this.synced = true
      for (const resolve of this.syncWaiters.splice(0)) resolve()
    }
  }

  private apiVersion(): string {
    return apiVersionOf(this.type)
  }

  /** Replaces the cache with a fresh list, telling handlers what changed while we were not watching. */
  private replace(items: T[]): void {
    const seen = new Set<string>()
    for (const item of items) {
      seen.add(item.metadata.uid ?? '')
      this.apply('ADDED', item)
    }
    for (const cached of this.store.list()) {
      if (!seen.has(cached.metadata.uid ?? '')) this.apply('DELETED', cached)
    }
  }

  private async watchOnce(stop: AbortSignal): Promise<void> {
    const watchAbort = new AbortController()
    const onStop = () => watchAbort.abort()
    stop.addEventListener('abort', onStop, { once: true })
    let watchdog = setTimeout(() => watchAbort.abort(), this.options.inactivityTimeoutMs)
    const feedWatchdog = () => {
      clearTimeout(watchdog)
      watchdog = setTimeout(() => {
        this.log.warn({ afterMs: this.options.inactivityTimeoutMs }, 'watch silent for too long: restarting it')
        watchAbort.abort()
      }, this.options.inactivityTimeoutMs)
    }
    const timeoutSeconds = this.options.watchTimeoutSeconds + Math.floor(Math.random() * this.options.watchTimeoutSeconds)
    try {
      const events = this.client.watch<T & { code?: number; message?: string }>(
        collectionPath(this.type, this.options.namespace),
        {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: this.options.labelSelector,
        },
        watchAbort.signal,
      )
      for await (const event of events) {
        feedWatchdog()
        if (event.type === 'ERROR') {
          const status = event.object as unknown as { code?: number; message?: string }
          if (status.code === 410) throw new Gone(status.message ?? 'Gone')
          throw new Error(`watch error ${status.code ?? ''}: ${status.message ?? 'unknown'}`)
        }
        if (event.type === 'BOOKMARK') {
          this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion
          continue
        }
        event.object.apiVersion = this.apiVersion()
        event.object.kind = this.type.kind
        this.apply(event.type, event.object)
        this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion
      }
    } catch (error) {
      // An abort by the watchdog ends this watch only; the loop starts the next one.
      if (!watchAbort.signal.aborted || stop.aborted) throw error
    } finally {
      clearTimeout(watchdog)
      stop.removeEventListener('abort', onStop)
    }
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void {
    this.metrics.events++
    trimForCache(object)
    if (type === 'DELETED') {
      const previous = this.store.delete(object)
      if (previous) for (const h of this.handlers) h.delete?.(previous)
      return
    }
    const previous = this.store.upsert(object)
    if (!previous) {
      for (const h of this.handlers) h.add?.(object)
    } else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) {
      for (const h of this.handlers) h.update?.(previous, object)
    }
  }
}
