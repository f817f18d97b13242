// I/O: one round of a failback (failback-progress.ts decides): start, at the recovered site's login
// service, a drain takeover of its homed agents from each surviving site not yet in the record (keyed by
// the failover, so a restarted operator gets the takeover already started), read every takeover's report,
// and say whether the summary is final. A login service that does not answer is named in the message
// and asked again at the next round.
import type { FailoverIO } from './io.ts'
import { failbackDone, failbackFigures, failbackKey, failbackRecord, REACH_SECONDS, type FailbackRecord } from './failback-progress.ts'
import type { TakeoverView } from './takeover-progress.ts'

export interface FailbackRound {
  /** The recovered site and its login service. */
  site: string
  loginUrl: string
  /** The surviving sites whose agents homed at `site` go home (with --site: the own one only). */
  from: readonly string[]
  homed: readonly string[]
  deadlineMs: number
}

/** Starts what is missing, follows the rest; the record comes back Completed once its summary is final. */
export async function advanceFailback(
  record: FailbackRecord,
  round: FailbackRound,
  io: Pick<FailoverIO, 'login' | 'now'>,
): Promise<FailbackRecord> {
  const failures: string[] = []
  const takeovers = [...(record.takeovers ?? [])]
  for (const from of round.from) {
    if (takeovers.some((t) => t.site === from)) continue
    try {
      const id = await io.login.start(round.loginUrl, from, failbackKey(record.id, from), {
        mode: 'drain',
        homeSite: round.site,
        keepInstructingSeconds: REACH_SECONDS,
      })
      takeovers.push({ site: from, at: round.site, id })
    } catch (error) {
      failures.push(`login ${round.site}: failback from ${from} not started: ${(error as Error).message}`)
    }
  }
  const views = await Promise.all(
    takeovers.map(async (t): Promise<TakeoverView[]> => {
      try {
        return [await io.login.report(round.loginUrl, t.id)]
      } catch (error) {
        failures.push(`login ${round.site}: takeover ${t.id} unreadable: ${(error as Error).message}`)
        return []
      }
    }),
  )
  const figures = failbackFigures(views.flat())
  const now = io.now()
  const done = failbackDone({
    figures,
    homed: round.homed,
    allAnswered: failures.length === 0,
    startedMs: Date.parse(record.started),
    nowMs: now.getTime(),
    deadlineMs: round.deadlineMs,
  })
  return withMessage(
    failbackRecord({ ...record, ...(takeovers.length > 0 ? { takeovers } : {}) }, figures, done ? now : undefined),
    failures,
  )
}

function withMessage(record: FailbackRecord, failures: readonly string[]): FailbackRecord {
  const next = { ...record }
  delete next.message
  return failures.length === 0 ? next : { ...next, message: failures.join('; ').slice(0, 1024) }
}
