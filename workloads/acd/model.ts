// The ACD's vocabulary: agents (status set by people, state set by the system), calls, reservations and
// the instructions the CTI bridge follows. Times are epoch milliseconds from the engine's clock.
import type { SkillGroup } from '../../crds/types.ts'

export type SkillGroupSpec = SkillGroup['spec']
export type Strategy = SkillGroupSpec['strategy']

/** Set by people (the agent or a supervisor). LoggedOut agents are not kept: signing out removes the agent. */
export type AgentStatus = 'Available' | 'Break' | 'LoggedOut'
/** Set by the system as calls come and go. */
export type AgentState = 'Idle' | 'Reserved' | 'OnCall' | 'WrapUp'

export interface AgentSkill {
  skillGroup: string
  proficiency: number
}

export interface Agent {
  agentId: string
  site: string
  extension: string
  operatorId: string
  skills: AgentSkill[]
  status: AgentStatus
  /** Why the status was set by the system rather than a person, e.g. 'NoAnswer'. */
  statusReason?: string
  state: AgentState
  stateSince: number
  /** When the agent last became free to take a call (Available and Idle): the LongestIdle clock. */
  idleSince: number
  signedInAt: number
  /** Calls answered since sign-in (FewestCalls). */
  callsTaken: number
  /** Talk time since sign-in (LeastTalkTime). */
  talkMilliseconds: number
  callId?: string
  reservationId?: string
  wrapUpUntil?: number
}

/** What the CTI knows about a call, usable in CEL as `call.<name>`. */
export type CallAttributes = Record<string, string | number | boolean>

/** Who served this caller before (from Redis, loaded when the call is queued). */
export interface CallerHistory {
  lastAgentId?: string
  servedCounts: Record<string, number>
}

export type CallState = 'Queued' | 'Offered' | 'Answered' | 'Transferred'

export interface Reservation {
  reservationId: string
  callId: string
  agentIds: string[]
  offeredAt: number
  /** After this the ACD treats the offer as not answered, even if the CTI never reports. */
  expiresAt: number
}

export interface OfferedAgent {
  agentId: string
  extension: string
  operatorId: string
}

export type Instruction =
  | { seq: number; kind: 'wait' }
  | { seq: number; kind: 'offer'; reservationId: string; skillGroup: string; ringSeconds: number; agents: OfferedAgent[] }
  | { seq: number; kind: 'transfer'; site: string; skillGroup: string }
  | { seq: number; kind: 'connected'; agentId: string }

export interface Call {
  callId: string
  /** The group the call waits in now (changes on overflow). */
  skillGroup: string
  originalSkillGroup: string
  /** Groups the call has waited in, so that overflow never loops. */
  visitedGroups: string[]
  caller: string
  called: string
  trunk: string
  attributes: CallAttributes
  history: CallerHistory
  /** From the group's priority rule. */
  basePriority: number
  /** basePriority plus escalation boosts: higher is offered first. */
  priority: number
  queuedAt: number
  /** When the call entered its current group: escalation and overflow count from here. */
  groupEnteredAt: number
  escalationStepsApplied: number
  state: CallState
  reservation?: Reservation
  /** Agents who did not answer this call; it is not offered to them again. */
  triedAgentIds: string[]
  agentId?: string
  answeredAt?: number
  instruction: Instruction
}

/** An agent as a strategy sees it: a snapshot, no references into live state. */
export interface Candidate {
  agentId: string
  extension: string
  operatorId: string
  /** In the group through which the agent qualifies for this call. */
  proficiency: number
  idleSince: number
  callsTaken: number
  talkMilliseconds: number
}
