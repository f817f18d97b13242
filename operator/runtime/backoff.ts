// Exponential backoff with a cap, shared by the reflector's restarts and the work queue's retries.

export class ExponentialBackoff {
  private failures = 0
  private readonly baseMs: number
  private readonly maxMs: number
  constructor(baseMs: number, maxMs: number) {
    this.baseMs = baseMs
    this.maxMs = maxMs
  }

  next(): number {
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** this.failures)
    this.failures++
    return delay
  }

  reset(): void {
    this.failures = 0
  }
}

/** Reads signal.aborted afresh (TypeScript would otherwise keep a narrowing from an earlier check). */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
