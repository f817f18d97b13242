// The drill agent's network fault: cut this site off from its peer sites, and heal it again, with a pair
// of callbacks (for a real site, commands the administrators configure, e.g. firewall rules that drop the
// peers' addresses). A cut always carries a deadline and the agent heals by itself once it passes: a
// partition may cut the operator off from the agent too, and no site may stay isolated because nobody
// could reach the agent to heal it. A heal that fails is tried again until it succeeds. Both actions are
// idempotent (the callbacks must be too): a cut of a cut network refreshes the deadline, a heal of a whole
// network runs the heal callback again, so an operator that restarted mid-drill can always ask again.

export interface NetworkControl {
  /** Drops this site's traffic to and from its peer sites; resolves once the rules are in place. */
  cut(): Promise<void>
  /** Lifts what cut put in place; succeeds when nothing is cut. */
  heal(): Promise<void>
}

export interface NetworkCut {
  /** When the network was first cut (RFC 3339); a repeated cut keeps it. */
  since: string
  /** When the agent heals by itself unless asked earlier (RFC 3339). */
  healsAt: string
}

export interface NetworkFault {
  cut(healAfterSeconds: number): Promise<NetworkCut>
  heal(): Promise<void>
  current(): NetworkCut | undefined
  /** Stops the deadline; heals first if a cut was asked for and not healed (a stopped agent leaves no partition behind). */
  close(): Promise<void>
}

export interface NetworkFaultOptions {
  now?: () => Date
  /** First wait before a failed heal is tried again; doubled each time, at most MAX_RETRY_MS. Default 5000. */
  retryMs?: number
  /** Told about each heal the agent did by itself: undefined when it worked, else why not. */
  onSelfHeal?: (error?: Error) => void
}

const MAX_RETRY_MS = 60_000

export function networkFault(control: NetworkControl, options: NetworkFaultOptions = {}): NetworkFault {
  const now = options.now ?? (() => new Date())
  const firstRetryMs = options.retryMs ?? 5000
  let state: NetworkCut | undefined
  /** Pending since a cut was asked for (even one that failed: its rules may be half in place) until a heal works. */
  let dirty = false
  let timer: NodeJS.Timeout | undefined
  let queue: Promise<unknown> = Promise.resolve()
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }
  const disarm = () => {
    clearTimeout(timer)
    timer = undefined
  }
  const arm = (delayMs: number, retryMs: number) => {
    disarm()
    timer = setTimeout(() => {
      timer = undefined
      void serially(healNow).then(
        () => options.onSelfHeal?.(),
        (error: unknown) => {
          options.onSelfHeal?.(error as Error)
          if (dirty && timer === undefined) arm(retryMs, Math.min(retryMs * 2, MAX_RETRY_MS))
        },
      )
    }, delayMs)
    timer.unref()
  }
  const healNow = async () => {
    await control.heal()
    dirty = false
    state = undefined
  }

  return {
    cut: (healAfterSeconds) =>
      serially(async () => {
        if (!Number.isInteger(healAfterSeconds) || healAfterSeconds < 1) throw new Error(`healAfterSeconds must be a whole number >= 1`)
        dirty = true
        // Armed before the cut runs: a cut that fails halfway is healed at the deadline all the same.
        arm(healAfterSeconds * 1000, firstRetryMs)
        await control.cut()
        const at = now()
        state = { since: state?.since ?? at.toISOString(), healsAt: new Date(at.getTime() + healAfterSeconds * 1000).toISOString() }
        return state
      }),
    heal: () =>
      serially(async () => {
        disarm()
        try {
          await healNow()
        } catch (error) {
          if (dirty) arm(firstRetryMs, Math.min(firstRetryMs * 2, MAX_RETRY_MS))
          throw error
        }
      }),
    current: () => state,
    close: async () => {
      disarm()
      if (dirty) await serially(healNow)
    },
  }
}
