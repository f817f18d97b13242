// Pure timing rules: what a waiting call's search looks like after it has waited so long (escalation),
// and where it goes when it has waited too long or its queue is full (overflow).
import type { SkillGroupSpec } from './model.ts'

export interface Routing {
  /** The call's own group first, then groups added by escalation. */
  skillGroups: string[]
  /**
   * Set once a step with minimumProficiency applies: from then on an agent whose proficiency reaches it
   * may take the call even when the eligibility rule says no (the step widens the search).
   */
  minimumProficiency?: number
  priorityBoost: number
  stepsApplied: number
}

/** The effect of every escalation step whose afterSeconds has passed, later steps on top of earlier ones. */
export function routingAfter(spec: Pick<SkillGroupSpec, 'escalation'>, skillGroup: string, waitedMs: number): Routing {
  const routing: Routing = { skillGroups: [skillGroup], priorityBoost: 0, stepsApplied: 0 }
  const steps = [...(spec.escalation ?? [])].sort((a, b) => a.afterSeconds - b.afterSeconds)
  for (const step of steps) {
    if (waitedMs < step.afterSeconds * 1000) break
    routing.stepsApplied++
    for (const group of step.addSkillGroups ?? []) if (!routing.skillGroups.includes(group)) routing.skillGroups.push(group)
    if (step.minimumProficiency !== undefined) routing.minimumProficiency = step.minimumProficiency
    routing.priorityBoost += step.priorityBoost ?? 0
  }
  return routing
}

/** When the next escalation step applies (ms after entering the group), if any is left. */
export function nextEscalationAfterMs(spec: Pick<SkillGroupSpec, 'escalation'>, stepsApplied: number): number | undefined {
  const steps = [...(spec.escalation ?? [])].sort((a, b) => a.afterSeconds - b.afterSeconds)
  const next = steps[stepsApplied]
  return next === undefined ? undefined : next.afterSeconds * 1000
}

export type OverflowTarget =
  | { kind: 'none' }
  /** Move the call into another group's queue here. */
  | { kind: 'skillGroup'; skillGroup: string }
  /** Tell the CTI to transfer the call to another site, into this group there. */
  | { kind: 'site'; site: string; skillGroup: string }

export interface OverflowInput {
  spec: Pick<SkillGroupSpec, 'overflow' | 'maxQueueLength'>
  skillGroup: string
  /** This ACD's site: overflow "to" it is no overflow. */
  site: string
  waitedMs: number
  /** Calls waiting in the group ahead of this one (for maxQueueLength). */
  waitingAhead: number
  /** Groups the call has already waited in: overflow never goes back to one. */
  visitedGroups: readonly string[]
}

export function overflowTarget(input: OverflowInput): OverflowTarget {
  const overflow = input.spec.overflow
  if (overflow === undefined) return { kind: 'none' }
  const queueFull = (input.spec.maxQueueLength ?? 0) > 0 && input.waitingAhead >= (input.spec.maxQueueLength ?? 0)
  if (!queueFull && input.waitedMs < overflow.afterSeconds * 1000) return { kind: 'none' }
  if (overflow.site !== undefined && overflow.site !== input.site) {
    return { kind: 'site', site: overflow.site, skillGroup: overflow.skillGroup ?? input.skillGroup }
  }
  if (overflow.skillGroup !== undefined && !input.visitedGroups.includes(overflow.skillGroup)) {
    return { kind: 'skillGroup', skillGroup: overflow.skillGroup }
  }
  return { kind: 'none' }
}
