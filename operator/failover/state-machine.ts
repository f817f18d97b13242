// Pure: one heartbeat step of a site or component: previous record + observation + policy + now -> next record + actions.
//
// Towards failure nothing waits for the dwell: Healthy -> Suspect -> Confirming -> Failed, and Recovering -> Failed,
// happen as soon as the evidence is there. A second opinion is asked for from the first missed probe on, so it
// runs while the primary path is still counting misses: with a 1 s interval, failureThreshold 2 and 1 confirmation
// a dead site is Failed when its second probe misses (at most 2 intervals + 1 probe timeout after the fault).
// Suspect is passed through in the same step as Confirming starts (it is recorded as suspectAt and an Event).
// Clearing an unconfirmed suspicion (Confirming -> Healthy) does not wait either: no traffic has moved.
// Towards health the dwell holds: Failed -> Recovering and Recovering -> Healthy each need minimumDwell in the
// state, and Recovering -> Healthy also needs recoveryThreshold good probes in a row.
import type { HeartbeatPolicy } from './policy.ts'
import type { Action, HeartbeatRecord, HeartbeatState, Observation, Step, Subject } from './heartbeat-types.ts'

export function initialHeartbeat(now: Date): HeartbeatRecord {
  return { state: 'Healthy', since: now.toISOString(), consecutiveMisses: 0, consecutiveSuccesses: 0, confirmedBy: [], failedOver: false }
}

/** Manual policy: the subject is Healthy again but its traffic stays away until a person approves failback. */
export function needsManualFailback(record: HeartbeatRecord, policy: HeartbeatPolicy): boolean {
  return record.failedOver && record.state === 'Healthy' && policy.failback === 'Manual' && !record.failbackApprovedAt
}

export interface StepInput {
  subject: Subject
  previous: HeartbeatRecord
  observation: Observation
  policy: HeartbeatPolicy
  now: Date
}

interface Context {
  subject: Subject
  policy: HeartbeatPolicy
  now: Date
  actions: Action[]
}

export function stepHeartbeat(input: StepInput): Step {
  const context: Context = { subject: input.subject, policy: input.policy, now: input.now, actions: [] }
  const record = observe(input.previous, input.observation, context)
  return { record, actions: [...context.actions, ...pendingTrafficActions(record, context)] }
}

function observe(record: HeartbeatRecord, observation: Observation, context: Context): HeartbeatRecord {
  switch (observation.kind) {
    case 'probe':
      return observation.ok ? probeAnswered(record, context) : probeMissed(record, observation.at, context)
    case 'confirmation':
      return observation.down
        ? confirmedDown(record, observation.source, observation.at, context)
        : clearedBy(record, observation.source, context)
    case 'flipped':
      if (!record.failover || record.failover.flipped) return record
      event(context, 'FlippedAway', 'traffic no longer goes to the subject')
      return { ...record, failover: { ...record.failover, flipped: observation.at.toISOString() } }
    case 'restored': {
      if (!record.failedOver) return record
      event(context, 'FailedBack', 'traffic may reach the subject again')
      const next = { ...record, failedOver: false }
      delete next.failbackApprovedAt
      return next
    }
    case 'failbackApproved':
      if (!record.failedOver || record.failbackApprovedAt) return record
      event(
        context,
        'FailbackApproved',
        record.state === 'Healthy' ? 'moving traffic back' : `traffic moves back once the subject is Healthy`,
      )
      return { ...record, failbackApprovedAt: observation.at.toISOString() }
  }
}

function probeAnswered(previous: HeartbeatRecord, context: Context): HeartbeatRecord {
  const { policy, now } = context
  const record = withoutRun({ ...previous, consecutiveSuccesses: previous.consecutiveSuccesses + 1 })
  const dwelt = now.getTime() - Date.parse(record.since) >= policy.minimumDwellMs
  switch (record.state) {
    case 'Healthy':
      return record
    case 'Suspect':
    case 'Confirming':
      event(context, 'SuspicionCleared', 'the probe answered again before the failure was confirmed')
      return enter(record, 'Healthy', now)
    case 'Failed':
      if (!dwelt) return record
      event(context, 'Recovering', 'probes answer again')
      return enter(record, 'Recovering', now)
    case 'Recovering':
      if (!dwelt || record.consecutiveSuccesses < policy.recoveryThreshold) return record
      if (record.failedOver && policy.failback === 'Manual' && !record.failbackApprovedAt)
        event(context, 'ManualFailbackNeeded', 'healthy again; traffic stays away until a person approves failback', true)
      else event(context, 'Recovered', `${record.consecutiveSuccesses} good probes in a row`)
      return enter(record, 'Healthy', now)
  }
}

function probeMissed(previous: HeartbeatRecord, sentAt: Date, context: Context): HeartbeatRecord {
  const { policy, now, subject } = context
  const record = { ...previous, consecutiveMisses: previous.consecutiveMisses + 1, consecutiveSuccesses: 0 }
  switch (record.state) {
    case 'Failed':
      return record
    case 'Recovering':
      event(context, 'Relapsed', 'a probe missed while recovering', true)
      return enter(record, 'Failed', now)
    case 'Healthy':
    case 'Suspect':
    case 'Confirming': {
      record.faultAt ??= sentAt.toISOString()
      if (record.confirmedBy.length < policy.confirmations) context.actions.push({ type: 'confirm', subject, needed: policy.confirmations })
      if (record.state !== 'Healthy' || record.consecutiveMisses < policy.failureThreshold) return record
      event(
        context,
        'Suspect',
        `${record.consecutiveMisses} probes missed; seeking ${policy.confirmations} independent confirmation(s)`,
        true,
      )
      return failIfConfirmed(enter({ ...record, suspectAt: now.toISOString() }, 'Confirming', now), context)
    }
  }
}

/** A down verdict counts once per source, only during a run of misses and only if made after the run began. */
function confirmedDown(previous: HeartbeatRecord, source: string, at: Date, context: Context): HeartbeatRecord {
  const duringRun = previous.faultAt !== undefined && at.getTime() >= Date.parse(previous.faultAt)
  if (!duringRun || previous.confirmedBy.includes(source)) return previous
  const record = { ...previous, confirmedBy: [...previous.confirmedBy, source] }
  return record.state === 'Healthy' ? record : failIfConfirmed(record, context)
}

/** Any independent path that still reaches the subject makes the misses jitter. */
function clearedBy(previous: HeartbeatRecord, source: string, context: Context): HeartbeatRecord {
  if (previous.faultAt === undefined) return previous
  const record = withoutRun(previous)
  if (record.state === 'Healthy') return record
  event(context, 'SuspicionCleared', `${source} still reaches the subject: no failover`)
  return enter(record, 'Healthy', context.now)
}

function failIfConfirmed(record: HeartbeatRecord, context: Context): HeartbeatRecord {
  const { policy, now, subject } = context
  if (record.confirmedBy.length < policy.confirmations) return record
  const confirmed = now.toISOString()
  const fault = record.faultAt ?? confirmed
  event(context, 'Failed', `confirmed down by ${record.confirmedBy.join(', ')}`, true)
  const failover =
    record.failedOver && record.failover
      ? record.failover
      : { id: failoverId(subject, fault), fault, suspect: record.suspectAt ?? confirmed, confirmed }
  const next = withoutRun(enter({ ...record, failedOver: true, failover }, 'Failed', now))
  delete next.failbackApprovedAt
  return next
}

/** Flip until the flip is acknowledged; restore while Healthy and failback is allowed, until acknowledged. */
function pendingTrafficActions(record: HeartbeatRecord, { policy, subject }: Context): Action[] {
  if (!record.failedOver || !record.failover) return []
  const failoverId = record.failover.id
  const mayFailBack = record.state === 'Healthy' && (policy.failback === 'Automatic' || record.failbackApprovedAt !== undefined)
  if (mayFailBack) return [{ type: 'restore', subject, failoverId }]
  return record.failover.flipped ? [] : [{ type: 'flip', subject, failoverId }]
}

function event(context: Context, reason: string, note: string, warning = false): void {
  context.actions.push({ type: 'event', subject: context.subject, reason, note, warning })
}

function enter(record: HeartbeatRecord, state: HeartbeatState, now: Date): HeartbeatRecord {
  return { ...record, state, since: now.toISOString() }
}

function withoutRun(record: HeartbeatRecord): HeartbeatRecord {
  const next = { ...record, consecutiveMisses: 0, confirmedBy: [] }
  delete next.faultAt
  delete next.suspectAt
  return next
}

function failoverId(subject: Subject, fault: string): string {
  const who = subject.component ? `${subject.site}-${subject.component}` : subject.site
  return `${who}-${fault.replace(/[-:.]/g, '').toLowerCase()}`
}
