// A work queue of keys with controller-runtime's semantics: a key waiting is queued once however often
// it is added; a key being processed is never handed to a second worker, and if it changes meanwhile
// it is processed again after; failures back off exponentially per key, under a global rate limit.
import { ExponentialBackoff } from './backoff.ts'

export interface WorkQueueOptions {
  perKeyBaseDelayMs?: number
  perKeyMaxDelayMs?: number
  /** Global limit on retries: a token bucket of this many per second... */
  retriesPerSecond?: number
  /** ...with this burst. */
  retryBurst?: number
}

export class WorkQueue {
  private readonly queue: string[] = []
  private readonly dirty = new Set<string>()
  private readonly processing = new Set<string>()
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>()
  private readonly failures = new Map<string, ExponentialBackoff>()
  private readonly waiters: ((key: string | undefined) => void)[] = []
  private readonly options: Required<WorkQueueOptions>
  private tokens: number
  private lastRefill = Date.now()
  private shuttingDown = false

  constructor(options: WorkQueueOptions = {}) {
    this.options = { perKeyBaseDelayMs: 5, perKeyMaxDelayMs: 300_000, retriesPerSecond: 10, retryBurst: 100, ...options }
    this.tokens = this.options.retryBurst
  }

  get length(): number {
    return this.queue.length
  }

  /** Keys waiting plus keys being worked on. */
  get depth(): number {
    return this.queue.length + this.processing.size
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return
    this.dirty.add(key)
    if (this.processing.has(key)) return
    const waiter = this.waiters.shift()
    if (waiter) {
      this.dirty.delete(key)
      this.processing.add(key)
      waiter(key)
    } else {
      this.queue.push(key)
    }
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return
    if (delayMs <= 0) return this.add(key)
    const at = Date.now() + delayMs
    const pending = this.delayed.get(key)
    if (pending && pending.at <= at) return
    if (pending) clearTimeout(pending.timer)
    const timer = setTimeout(() => {
      this.delayed.delete(key)
      this.add(key)
    }, delayMs)
    this.delayed.set(key, { at, timer })
  }

  /** Adds the key again after its own backoff, or later if the global retry budget is spent. */
  addRateLimited(key: string): void {
    let backoff = this.failures.get(key)
    if (!backoff) {
      backoff = new ExponentialBackoff(this.options.perKeyBaseDelayMs, this.options.perKeyMaxDelayMs)
      this.failures.set(key, backoff)
    }
    this.addAfter(key, Math.max(backoff.next(), this.globalDelay()))
  }

  /** Clears the key's failure history after a success. */
  forget(key: string): void {
    this.failures.delete(key)
  }

  /** The next key to work on; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined)
    const key = this.queue.shift()
    if (key !== undefined) {
      this.dirty.delete(key)
      this.processing.add(key)
      return Promise.resolve(key)
    }
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  done(key: string): void {
    this.processing.delete(key)
    if (this.dirty.has(key)) {
      this.dirty.delete(key)
      this.add(key)
    }
  }

  shutdown(): void {
    this.shuttingDown = true
    for (const { timer } of this.delayed.values()) clearTimeout(timer)
    this.delayed.clear()
    for (const waiter of this.waiters.splice(0)) waiter(undefined)
  }

  private globalDelay(): number {
    const now = Date.now()
    this.tokens = Math.min(this.options.retryBurst, this.tokens + ((now - this.lastRefill) / 1000) * this.options.retriesPerSecond)
    this.lastRefill = now
    this.tokens -= 1
    return this.tokens >= 0 ? 0 : (-this.tokens / this.options.retriesPerSecond) * 1000
  }
}
