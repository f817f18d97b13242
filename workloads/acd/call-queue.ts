// One group's waiting calls in the order they are offered: higher priority first, then longer waiting.
import type { Call } from './model.ts'

export function offeredBefore(a: Call, b: Call): boolean {
  return (
    a.priority > b.priority ||
    (a.priority === b.priority && (a.queuedAt < b.queuedAt || (a.queuedAt === b.queuedAt && a.callId < b.callId)))
  )
}

export class CallQueue {
  readonly calls: Call[] = []

  insert(call: Call): void {
    let low = 0
    let high = this.calls.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const other = this.calls[middle]
      if (other !== undefined && offeredBefore(other, call)) low = middle + 1
      else high = middle
    }
    this.calls.splice(low, 0, call)
  }

  remove(call: Call): void {
    const at = this.calls.indexOf(call)
    if (at >= 0) this.calls.splice(at, 1)
  }

  get length(): number {
    return this.calls.length
  }
}
