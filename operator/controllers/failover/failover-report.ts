// The end of a failover: its timeline in Site status (summary), and the full JSON report plus the SVG
// chart of re-login times written through the report sink when there is one.
import { reloginChart } from '../../failover/chart.ts'
import type { FailoverMarks } from '../../failover/heartbeat-types.ts'
import { timelineReport, timelineSummary, type AgentRelogin, type TimelineInput, type TimelineSummary } from '../../failover/timeline.ts'
import type { ReportSink } from './io.ts'

export async function finishFailover(
  site: string,
  failover: FailoverMarks,
  agents: AgentRelogin[],
  /** Calls in progress to the site at the last reading before the fault (edge-calls.ts); undefined: never read, so not claimed. */
  callsLost: number | undefined,
  sink?: ReportSink,
): Promise<TimelineSummary> {
  const input: TimelineInput = {
    id: failover.id,
    reason: `site ${site} confirmed down`,
    marks: { fault: failover.fault, suspect: failover.suspect, confirmed: failover.confirmed, flipped: failover.flipped },
    agents,
    ...(callsLost === undefined ? {} : { callsLost }),
  }
  if (!sink) return timelineSummary(input)
  const report = timelineReport(input)
  const chart = reloginChart({
    title: `Re-login after the failover of ${site}`,
    reloginMs: report.agents.flatMap((a) => (a.reloginMs === null ? [] : [a.reloginMs])),
  })
  const path = await sink.write(failover.id, `${JSON.stringify(report, null, 2)}\n`, chart)
  return timelineSummary({ ...input, report: path })
}
