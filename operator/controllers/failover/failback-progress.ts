// Pure: the failback of a recovered site's agents. Once the edges send calls to the site again, its
// login service takes back, from every surviving site, the agents whose AgentSeat is homed there, in
// drain mode (each after its current call, never mid-call); the survivors' own agents stay. This file
// decides the takeovers' keys, how far they came and when the failback's summary is final.
//
// Agents whose standby connection to the recovered site backs off after the outage reconnect up to a
// minute later; the takeover keeps instructing for REACH_SECONDS, so they are told when they arrive. The
// summary is final once every agent homed here is home, or the reach window has passed and every agent
// told is home, or the deadline passed (those still on a call then count as stayed; they still move
// after their call, as the login service told them).
import { createHash } from 'node:crypto'
import type { Site } from '../../../crds/types.ts'
import { percentiles } from '../../../workloads/lib/percentiles.ts'
import type { TakeoverView } from './takeover-progress.ts'

export type FailbackRecord = NonNullable<NonNullable<Site['status']>['lastFailback']>

/** How long standby connections that (re)connect are still told: the agent client's standby backoff is at most 60 s. */
export const REACH_SECONDS = 90

const KEY_LIMIT = 128

/** The idempotency key of the failback takeover of `failoverId`'s agents from `from`: asked again, the same takeover. */
export function failbackKey(failoverId: string, from: string): string {
  const key = `failback-${failoverId}-${from}`
  if (key.length <= KEY_LIMIT && /^[A-Za-z0-9._:-]+$/.test(key)) return key
  return `failback-${createHash('sha256').update(`${failoverId}/${from}`).digest('hex').slice(0, 48)}`
}

export interface FailbackFigures {
  agentsInstructed: number
  /** agentId -> ms from its takeover's start to its sign-in at home. */
  moved: Map<string, number>
  /** Told, not home yet, not declined. */
  pending: string[]
}

export function failbackFigures(views: readonly TakeoverView[]): FailbackFigures {
  const moved = new Map<string, number>()
  for (const view of views) {
    for (const [agent, ms] of Object.entries(view.agents)) {
      const earlier = moved.get(agent)
      if (earlier === undefined || ms < earlier) moved.set(agent, Math.max(0, ms))
    }
  }
  const pending = [...new Set(views.flatMap((view) => view.pendingAgents ?? []))].filter((agent) => !moved.has(agent)).sort()
  return { agentsInstructed: views.reduce((sum, view) => sum + view.instructed, 0), moved, pending }
}

export interface FailbackDoneInput {
  figures: FailbackFigures
  /** The agents homed at the recovered site (its AgentSeats). */
  homed: readonly string[]
  /** Every takeover was started and its login service answered this round. */
  allAnswered: boolean
  startedMs: number
  nowMs: number
  deadlineMs: number
}

export function failbackDone(input: FailbackDoneInput): boolean {
  const { figures, homed, startedMs, nowMs } = input
  if (nowMs - startedMs >= input.deadlineMs) return true
  if (!input.allAnswered) return false
  if (homed.length > 0 && homed.every((agent) => figures.moved.has(agent))) return true
  return nowMs - startedMs >= REACH_SECONDS * 1000 && figures.pending.length === 0
}

/** The record with this round's figures; `completedAt` makes it the final summary. */
export function failbackRecord(record: FailbackRecord, figures: FailbackFigures, completedAt?: Date): FailbackRecord {
  const times = [...figures.moved.values()]
  const { p50, p95, p99, max } = percentiles(times)
  const next: FailbackRecord = {
    ...record,
    agentsInstructed: figures.agentsInstructed,
    agentsMoved: figures.moved.size,
    ...(times.length > 0 ? { reloginMilliseconds: { p50, p95, p99, max } } : {}),
  }
  if (completedAt === undefined) return next
  return { ...next, state: 'Completed', completed: completedAt.toISOString(), agentsStayed: figures.pending.length }
}

/** The site failed over again before its failback finished: the summary is final with what was last known. */
export function interruptedFailback(record: FailbackRecord, now: Date): FailbackRecord {
  return {
    ...record,
    state: 'Completed',
    completed: now.toISOString(),
    agentsStayed: Math.max(0, (record.agentsInstructed ?? 0) - (record.agentsMoved ?? 0)),
    message: 'the site failed over again before every agent told was home',
  }
}

/** "12 agents moved home, 1 stayed (still on a call), home p99 1830 ms": the note of FailbackCompleted. */
export function failbackNote(record: FailbackRecord): string {
  const p99 = record.reloginMilliseconds?.p99
  const stayed = record.agentsStayed ? `, ${record.agentsStayed} stayed (still on a call or refused; they move after it)` : ''
  return `${record.agentsMoved ?? 0} agents moved home${stayed}${p99 === undefined ? '' : `, home p99 ${p99} ms`}`
}
