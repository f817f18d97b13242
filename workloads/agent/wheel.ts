// One timer for many agents: each task is ticked once per interval, the tasks spread over slots so
// the work comes in small batches (15,000 agents at 5 s in 50 slots: 300 every 100 ms).

export interface Tickable {
  tick(now: number): void
}

export class HeartbeatWheel {
  readonly intervalMs: number
  private readonly slots: Set<Tickable>[]
  private cursor = 0
  private timer: NodeJS.Timeout | undefined
  private count = 0

  constructor(intervalMs: number, slots = 20) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a whole number of at least 1, got ${slots}`)
    this.intervalMs = intervalMs
    this.slots = Array.from({ length: slots }, () => new Set<Tickable>())
  }

  /** Ticks `task` once per interval from the next round on; returns the function that stops it. */
  add(task: Tickable): () => void {
    const slot = this.slots.reduce((smallest, candidate) => (candidate.size < smallest.size ? candidate : smallest))
    slot.add(task)
    this.count++
    this.timer ??= setInterval(() => this.turn(), Math.max(1, Math.floor(this.intervalMs / this.slots.length)))
    return () => {
      if (!slot.delete(task)) return
      this.count--
      if (this.count === 0) this.stop()
    }
  }

  get size(): number {
    return this.count
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private turn(): void {
    const slot = this.slots[this.cursor]
    this.cursor = (this.cursor + 1) % this.slots.length
    const now = Date.now()
    for (const task of slot ?? []) task.tick(now)
  }
}
