// Carrier traffic for the demo: two callers' regions (021 Shanghai, 0513 Nantong) call the trunk's number
// without pause, each through its own site's edge, in short SIPp batches. Like a carrier that delivers
// every number at both sites, a region whose edge stopped answering (a whole batch failed) is sent to
// the other site's edge for a while. Counts completed and failed calls and where each one was answered.
import { readdirSync, readFileSync } from 'node:fs'
import { CALLER_PREFIXES, placeCalls } from '../e2e/sites/calls.ts'
import { SITE_NAMES, type SiteName } from '../e2e/sites/manifests.ts'
import type { TwoSites } from '../e2e/sites/two-sites.ts'

/** The SIPp scenario of a carrier call (workloads/edge/sipp/); the phones run another one. */
const CALLER_SCENARIO = 'carrier-call.xml'
const BATCH_SECONDS = 3
const HOLD_MS = 1000
const EDGE_AVOID_MS = 15_000
const PAUSE_AFTER_ERROR_MS = 2000

export interface CallTraffic {
  completed: number
  failed: number
  /** Calls each site's soft switch took. */
  handled: Record<SiteName, number>
  /** Stops placing calls; resolves when the batches in flight have ended. */
  stop(): Promise<void>
}

/** SIGKILLs this process's own SIPp callers (the batches in flight run detached, so Ctrl-C does not reach them). */
function killOwnSippChildren(): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (comm !== 'sipp' || parent !== process.pid) continue
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(CALLER_SCENARIO)) process.kill(Number(entry), 'SIGKILL')
    } catch {
      // gone meanwhile
    }
  }
}

const otherSite = (site: SiteName): SiteName => (site === 'shanghai' ? 'nantong' : 'shanghai')

export function startCallTraffic(twoSites: TwoSites, options: { ratePerEdge: number; onError: (message: string) => void }): CallTraffic {
  let running = true
  // A function, not the variable: the loop must see stop() flip it while a batch was awaited.
  const isRunning = () => running
  const avoidUntil: Record<SiteName, number> = { shanghai: 0, nantong: 0 }
  const traffic: Omit<CallTraffic, 'stop'> = { completed: 0, failed: 0, handled: { shanghai: 0, nantong: 0 } }

  const region = async (home: SiteName) => {
    while (isRunning()) {
      const edge = Date.now() < avoidUntil[home] ? otherSite(home) : home
      try {
        const report = await placeCalls(twoSites, edge, {
          calls: options.ratePerEdge * BATCH_SECONDS,
          rate: options.ratePerEdge,
          callerPrefix: CALLER_PREFIXES[home],
          holdMilliseconds: HOLD_MS,
          timeoutSeconds: BATCH_SECONDS + 30,
        })
        if (!isRunning()) break
        traffic.completed += report.completed
        traffic.failed += report.failed
        for (const site of SITE_NAMES) traffic.handled[site] += report.landed[site]
        if (report.completed === 0 && report.failed > 0) avoidUntil[edge] = Date.now() + EDGE_AVOID_MS
      } catch (error) {
        options.onError(`calls through the ${edge} edge: ${(error as Error).message}`)
        avoidUntil[edge] = Date.now() + EDGE_AVOID_MS
        await new Promise((resolve) => setTimeout(resolve, PAUSE_AFTER_ERROR_MS))
      }
    }
  }

  const loops = SITE_NAMES.map((site) => region(site))
  return Object.assign(traffic, {
    stop: async () => {
      running = false
      killOwnSippChildren()
      await Promise.allSettled(loops)
    },
  })
}
