// Graceful stop of an edge pod. Kubernetes stops sending the pod new calls (its endpoint turns
// not-ready) and runs Kamailio's preStop hook, which waits for the drained file. The agent, told to
// stop, waits until Kamailio has no call in progress (their in-dialog requests still come here, by
// Record-Route) and then writes that file. A Kamailio that does not answer has no call left to protect.

export interface DrainOptions {
  /** Calls in progress per destination site (EdgeRouting.callsPerSite). */
  calls: () => Promise<Record<string, number>>
  /** How often to ask; default 2 s. */
  everyMs?: number
  onWaiting?: (calls: number) => void
}

/** Resolves once no call is in progress (or Kamailio no longer answers). */
export async function drainCalls(options: DrainOptions): Promise<void> {
  const everyMs = options.everyMs ?? 2_000
  for (;;) {
    let inProgress: number
    try {
      inProgress = Object.values(await options.calls()).reduce((sum, n) => sum + n, 0)
    } catch {
      return
    }
    if (inProgress === 0) return
    options.onWaiting?.(inProgress)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
