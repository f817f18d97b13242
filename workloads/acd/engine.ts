// The ACD's live state and its transitions, in memory and without I/O: agents sign in and out and set
// their status; calls queue, get offered (a reservation), are answered or not, and end. Time comes from
// an injected clock and timed work (ring timeouts, wrap-up, escalation, overflow) happens in tick(), so
// tests drive it without sleeping. Every change is recorded for the store to write to Redis.
import { randomUUID } from 'node:crypto'
import { celMap, type CelInput } from '@bufbuild/cel'
import { toCel } from '../../crds/cel.ts'
import { AgentIndex, isFree, proficiencyIn, type FreeEntry } from './agent-index.ts'
import { CallQueue, offeredBefore } from './call-queue.ts'
import { overflowTarget, routingAfter, type OverflowTarget, type Routing } from './escalation.ts'
import type {
  Agent,
  AgentSkill,
  AgentStatus,
  Call,
  CallAttributes,
  CallerHistory,
  Candidate,
  Instruction,
  Reservation,
  SkillGroupSpec,
} from './model.ts'
import { compileSkillGroupRules, describeProblem, type CompiledRules, type RuleProblem } from './rules.ts'
import { DEFAULT_SERVICE_LEVEL_WINDOW_MS, OutcomeWindow, serviceLevel, type Outcome, type ServiceLevelFigures } from './service-level.ts'
import { chooseAgents } from './strategies.ts'
import { chooseByWebhook, type WebhookChoice } from './webhook.ts'

export const DEFAULT_NO_ANSWER_SECONDS = 15
export const DEFAULT_WRAP_UP_SECONDS = 10
/** How long past noAnswerSeconds the ACD waits for the CTI's verdict before deciding "no answer" itself. */
export const DEFAULT_RESERVATION_GRACE_MS = 5000

/** An error with the HTTP status it maps to. */
export class AcdError extends Error {
  readonly statusCode: number
  constructor(statusCode: number, message: string) {
    super(message)
    this.statusCode = statusCode
  }
}

export interface EngineOptions {
  site: string
  now?: () => number
  newId?: () => string
  reservationGraceMs?: number
  serviceLevelWindowMs?: number
  chooseByWebhook?: typeof chooseByWebhook
  /** Called after changes that did not come from a method call (a webhook's late answer). */
  onChanged?: () => void
  onInstruction?: (call: Call) => void
  onOutcome?: (skillGroup: string, outcome: Outcome) => void
  onWebhookDecision?: (call: Call, decidedBy: string) => void
}

export interface SignIn {
  site: string
  extension: string
  operatorId: string
  skills: AgentSkill[]
  status?: Exclude<AgentStatus, 'LoggedOut'>
}

export interface NewCall {
  callId: string
  skillGroup: string
  caller: string
  called: string
  trunk?: string
  attributes?: CallAttributes
  history?: CallerHistory
}

export interface GroupTotals {
  answered: number
  abandoned: number
  overflowed: number
}

interface Group {
  name: string
  spec: SkillGroupSpec
  generation: number
  rules: CompiledRules
  deleted: boolean
  queue: CallQueue
  outcomes: OutcomeWindow
  totals: GroupTotals
  roundRobinAfter?: string
  /** The routing of every call in a group without escalation (shared, never changed). */
  plainRouting: Routing
}

export interface GroupStats {
  skillGroup: string
  waiting: number
  ringing: number
  longestWaitSeconds: number
  totals: GroupTotals
  serviceLevel: ServiceLevelFigures & { targetPercent: number; withinSeconds: number }
  agents: { signedIn: number; available: number }
}

export interface EngineChanges {
  /** null: deleted. */
  agents: Map<string, Agent | null>
  calls: Map<string, Call | null>
  outcomes: { skillGroup: string; outcome: Outcome }[]
  /** Caller -> agent who answered: the LastServed/MostServed history. */
  served: { caller: string; agentId: string }[]
  roundRobin: Map<string, string>
}

export interface RestoredState {
  agents: Agent[]
  calls: Call[]
  roundRobin: Map<string, string>
  outcomes: Map<string, Outcome[]>
}

function emptyChanges(): EngineChanges {
  return { agents: new Map(), calls: new Map(), outcomes: [], served: [], roundRobin: new Map() }
}

export class AcdEngine {
  readonly site: string
  private readonly now: () => number
  private readonly newId: () => string
  private readonly graceMs: number
  private readonly windowMs: number
  private readonly webhook: typeof chooseByWebhook
  private readonly options: EngineOptions
  private readonly groups = new Map<string, Group>()
  private readonly agents = new Map<string, Agent>()
  private readonly calls = new Map<string, Call>()
  private readonly reservations = new Map<string, Reservation>()
  private readonly index = new AgentIndex()
  private readonly wrapUps = new Set<Agent>()
  /** Calls whose escalation added groups: offered to free agents of those groups too. */
  private readonly widened = new Set<Call>()
  /** Calls waiting for a webhook's answer. */
  private readonly deciding = new Map<string, Promise<void>>()
  private readonly celCalls = new WeakMap<Call, CelInput>()
  private changes = emptyChanges()

  constructor(options: EngineOptions) {
    this.options = options
    this.site = options.site
    this.now = options.now ?? Date.now
    this.newId = options.newId ?? randomUUID
    this.graceMs = options.reservationGraceMs ?? DEFAULT_RESERVATION_GRACE_MS
    this.windowMs = options.serviceLevelWindowMs ?? DEFAULT_SERVICE_LEVEL_WINDOW_MS
    this.webhook = options.chooseByWebhook ?? chooseByWebhook
  }

  // ---- skill groups ----

  /** Applies a projected SkillGroup; a spec whose rules do not compile is refused and the previous one kept. */
  setSkillGroup(
    name: string,
    spec: SkillGroupSpec,
    generation = 0,
  ): { ok: true } | { ok: false; problems: RuleProblem[]; message: string } {
    const compiled = compileSkillGroupRules(spec)
    if (!compiled.ok) {
      return { ok: false, problems: compiled.problems, message: `SkillGroup ${name}: ${compiled.problems.map(describeProblem).join('; ')}` }
    }
    const existing = this.groups.get(name)
    if (existing !== undefined) {
      existing.spec = spec
      existing.generation = generation
      existing.rules = compiled.rules
      existing.deleted = false
      // Pinned to another site now: the calls waiting here go there rather than to this site's agents.
      if (this.pinnedAway(existing) !== undefined) for (const call of [...existing.queue.calls]) this.dispatch(call)
    } else {
      this.groups.set(name, {
        name,
        spec,
        generation,
        rules: compiled.rules,
        deleted: false,
        queue: new CallQueue(),
        outcomes: new OutcomeWindow(this.windowMs),
        totals: { answered: 0, abandoned: 0, overflowed: 0 },
        plainRouting: { skillGroups: [name], priorityBoost: 0, stepsApplied: 0 },
      })
    }
    return { ok: true }
  }

  /** New calls for a deleted group are refused; calls already waiting in it are still served. */
  deleteSkillGroup(name: string): void {
    const group = this.groups.get(name)
    if (group !== undefined) group.deleted = true
  }

  skillGroupNames(): string[] {
    return [...this.groups.values()].filter((group) => !group.deleted).map((group) => group.name)
  }

  rulesOf(name: string): CompiledRules | undefined {
    return this.groups.get(name)?.rules
  }

  // ---- agents ----

  getAgent(agentId: string): Agent | undefined {
    return this.agents.get(agentId)
  }

  /** Signs an agent in, or updates a signed-in agent (a call in progress is kept). */
  signIn(agentId: string, input: SignIn): Agent {
    const now = this.now()
    let agent = this.agents.get(agentId)
    if (agent === undefined) {
      agent = {
        agentId,
        site: input.site,
        extension: input.extension,
        operatorId: input.operatorId,
        skills: input.skills.map((skill) => ({ ...skill })),
        status: input.status ?? 'Available',
        state: 'Idle',
        stateSince: now,
        idleSince: now,
        signedInAt: now,
        callsTaken: 0,
        talkMilliseconds: 0,
      }
      this.agents.set(agentId, agent)
      this.index.addMember(agent)
      if (isFree(agent)) this.index.addFree(agent)
    } else {
      const wasFree = isFree(agent)
      this.index.removeMember(agent)
      if (wasFree) this.index.removeFree(agent)
      agent.site = input.site
      agent.extension = input.extension
      agent.operatorId = input.operatorId
      agent.skills = input.skills.map((skill) => ({ ...skill }))
      if (input.status !== undefined) {
        agent.status = input.status
        delete agent.statusReason
      }
      this.index.addMember(agent)
      if (isFree(agent)) {
        if (!wasFree) agent.idleSince = now
        this.index.addFree(agent)
      }
    }
    this.changes.agents.set(agentId, agent)
    this.offerWorkTo(agent)
    return agent
  }

  /** Signs an agent out. A ringing offer to the agent is withdrawn; a call in progress goes on without the agent's record. */
  signOut(agentId: string): void {
    const agent = this.requireAgent(agentId)
    const reservation = agent.reservationId === undefined ? undefined : this.reservations.get(agent.reservationId)
    this.index.removeMember(agent)
    if (isFree(agent)) this.index.removeFree(agent)
    this.wrapUps.delete(agent)
    this.agents.delete(agentId)
    this.changes.agents.set(agentId, null)
    if (reservation !== undefined) this.withdrawFromReservation(reservation, agentId)
  }

  setStatus(agentId: string, status: 'Available' | 'Break'): Agent {
    const agent = this.requireAgent(agentId)
    this.update(agent, () => {
      agent.status = status
      delete agent.statusReason
    })
    this.offerWorkTo(agent)
    return agent
  }

  // ---- calls ----

  getCall(callId: string): Call | undefined {
    return this.calls.get(callId)
  }

  /** Queues a call and offers it at once when an agent is free. Queueing the same call ID again returns it unchanged. */
  queueCall(input: NewCall): Call {
    const existing = this.calls.get(input.callId)
    if (existing !== undefined) return existing
    const group = this.groups.get(input.skillGroup)
    if (group === undefined || group.deleted)
      throw new AcdError(404, `skill group ${input.skillGroup} is not known to the ACD at ${this.site}`)
    const now = this.now()
    const call: Call = {
      callId: input.callId,
      skillGroup: group.name,
      originalSkillGroup: group.name,
      visitedGroups: [group.name],
      caller: input.caller,
      called: input.called,
      trunk: input.trunk ?? '',
      attributes: input.attributes ?? {},
      history: input.history ?? { servedCounts: {} },
      basePriority: 0,
      priority: 0,
      queuedAt: now,
      groupEnteredAt: now,
      escalationStepsApplied: 0,
      state: 'Queued',
      triedAgentIds: [],
      instruction: { seq: 1, kind: 'wait' },
    }
    call.basePriority = call.priority = this.priorityOf(call, group)
    this.calls.set(call.callId, call)
    this.changes.calls.set(call.callId, call)
    const pinned = this.pinnedAway(group)
    if (pinned !== undefined) {
      this.transfer(call, { site: pinned, skillGroup: group.name })
      return call
    }
    const full = overflowTarget({
      spec: group.spec,
      skillGroup: group.name,
      site: this.site,
      waitedMs: 0,
      waitingAhead: group.queue.length,
      visitedGroups: call.visitedGroups,
    })
    if (full.kind === 'none' || !this.overflow(call, group, full)) {
      this.enqueue(call, group)
      this.dispatch(call)
    }
    return call
  }

  /** The CTI reports that an offered agent answered: the agent is on the call, the others of a ring-all are free again. */
  answered(reservationId: string, agentId: string): Call {
    const reservation = this.requireReservation(reservationId)
    if (!reservation.agentIds.includes(agentId)) {
      throw new AcdError(
        409,
        `agent ${agentId} is not part of reservation ${reservationId} (offered to ${reservation.agentIds.join(', ')})`,
      )
    }
    const agent = this.agents.get(agentId)
    if (agent === undefined) throw new AcdError(409, `agent ${agentId} signed out while reservation ${reservationId} was ringing`)
    const call = this.requireCall(reservation.callId)
    const now = this.now()
    this.reservations.delete(reservationId)
    const released = this.release(reservation.agentIds.filter((id) => id !== agentId))
    this.update(agent, () => {
      agent.state = 'OnCall'
      delete agent.reservationId
      agent.callId = call.callId
    })
    call.state = 'Answered'
    delete call.reservation
    call.agentId = agentId
    call.answeredAt = now
    this.record(call.skillGroup, { at: now, waitedMs: now - call.groupEnteredAt, kind: 'answered' })
    if (call.caller !== '') this.changes.served.push({ caller: call.caller, agentId })
    this.instruct(call, { kind: 'connected', agentId })
    for (const other of released) this.offerWorkTo(other)
    return call
  }

  /**
   * Nobody answered the offer. A single agent who let it ring is put on Break (reason NoAnswer), like
   * "redirection on no answer" in other ACDs: an unanswered phone usually means nobody is at the desk,
   * and offering that agent more calls would make each caller wait another noAnswerSeconds. The agent
   * sets Available again when back. Agents of a ring-all offer just become free again. The call goes
   * back to its place in the queue and is offered to someone else.
   */
  noAnswer(reservationId: string): Call {
    const reservation = this.requireReservation(reservationId)
    const call = this.requireCall(reservation.callId)
    this.reservations.delete(reservationId)
    const single = reservation.agentIds.length === 1
    if (single) call.triedAgentIds.push(...reservation.agentIds)
    const released = this.release(reservation.agentIds, single ? 'NoAnswer' : undefined)
    this.requeue(call)
    for (const agent of released) this.offerWorkTo(agent)
    return call
  }

  /** The call is over: the caller hung up while waiting (abandoned), or the conversation ended (wrap-up follows). */
  ended(callId: string): Call {
    const call = this.requireCall(callId)
    const now = this.now()
    const group = this.groups.get(call.skillGroup)
    const freed: Agent[] = []
    if (call.state === 'Queued') {
      group?.queue.remove(call)
      this.record(call.skillGroup, { at: now, waitedMs: now - call.groupEnteredAt, kind: 'abandoned' })
    } else if (call.state === 'Offered' && call.reservation !== undefined) {
      this.reservations.delete(call.reservation.reservationId)
      freed.push(...this.release(call.reservation.agentIds))
      this.record(call.skillGroup, { at: now, waitedMs: now - call.groupEnteredAt, kind: 'abandoned' })
    } else if (call.state === 'Answered' && call.agentId !== undefined) {
      const agent = this.agents.get(call.agentId)
      if (agent !== undefined && agent.callId === call.callId) this.startWrapUp(agent, call, group, freed)
    }
    this.widened.delete(call)
    this.deciding.delete(callId)
    this.calls.delete(callId)
    this.changes.calls.set(callId, null)
    for (const agent of freed) this.offerWorkTo(agent)
    return call
  }

  /** Timed work: ring timeouts, end of wrap-up, escalation steps, overflow, service-level window. */
  tick(): void {
    const now = this.now()
    for (const reservation of [...this.reservations.values()]) {
      if (reservation.expiresAt <= now) this.noAnswer(reservation.reservationId)
    }
    for (const agent of [...this.wrapUps]) {
      if ((agent.wrapUpUntil ?? 0) <= now) {
        this.wrapUps.delete(agent)
        this.update(agent, () => {
          agent.state = 'Idle'
          delete agent.wrapUpUntil
        })
        this.offerWorkTo(agent)
      }
    }
    for (const group of this.groups.values()) {
      for (const call of [...group.queue.calls]) this.applyTimers(call, group, now)
      group.outcomes.trim(now)
    }
  }

  /** Resolves when every pending webhook decision has been applied. */
  async settled(): Promise<void> {
    while (this.deciding.size > 0) await Promise.all(this.deciding.values())
  }

  // ---- figures ----

  stats(): GroupStats[] {
    const now = this.now()
    const waiting = new Map<string, { waiting: number; ringing: number; oldest: number }>()
    for (const call of this.calls.values()) {
      if (call.state !== 'Queued' && call.state !== 'Offered') continue
      const entry = waiting.get(call.skillGroup) ?? { waiting: 0, ringing: 0, oldest: now }
      entry.waiting++
      if (call.state === 'Offered') entry.ringing++
      entry.oldest = Math.min(entry.oldest, call.groupEnteredAt)
      waiting.set(call.skillGroup, entry)
    }
    return [...this.groups.values()].map((group) => {
      const entry = waiting.get(group.name)
      const { withinSeconds, targetPercent } = group.spec.serviceLevel
      const counts = this.index.counts(group.name)
      return {
        skillGroup: group.name,
        waiting: entry?.waiting ?? 0,
        ringing: entry?.ringing ?? 0,
        longestWaitSeconds: entry === undefined ? 0 : Math.floor((now - entry.oldest) / 1000),
        totals: { ...group.totals },
        serviceLevel: { ...serviceLevel(group.outcomes.outcomes, now, this.windowMs, withinSeconds), targetPercent, withinSeconds },
        agents: { signedIn: counts.signedIn, available: counts.free },
      }
    })
  }

  agentCounts(): { signedIn: number; byState: Record<string, number>; byStatus: Record<string, number> } {
    const byState: Record<string, number> = { Idle: 0, Reserved: 0, OnCall: 0, WrapUp: 0 }
    const byStatus: Record<string, number> = { Available: 0, Break: 0 }
    for (const agent of this.agents.values()) {
      byState[agent.state] = (byState[agent.state] ?? 0) + 1
      byStatus[agent.status] = (byStatus[agent.status] ?? 0) + 1
    }
    return { signedIn: this.agents.size, byState, byStatus }
  }

  // ---- persistence ----

  takeChanges(): EngineChanges {
    const changes = this.changes
    this.changes = emptyChanges()
    return changes
  }

  /** Rebuilds the live state written by the store (after a restart), then lets timed work catch up. */
  restore(state: RestoredState): void {
    for (const agent of state.agents) {
      this.agents.set(agent.agentId, agent)
      this.index.addMember(agent)
      if (isFree(agent)) this.index.addFree(agent)
      if (agent.state === 'WrapUp') this.wrapUps.add(agent)
    }
    for (const [name, agentId] of state.roundRobin) {
      const group = this.groups.get(name)
      if (group !== undefined) group.roundRobinAfter = agentId
    }
    for (const [name, outcomes] of state.outcomes) {
      const group = this.groups.get(name)
      if (group === undefined) continue
      for (const outcome of outcomes) group.outcomes.add(outcome)
    }
    for (const call of state.calls) {
      this.calls.set(call.callId, call)
      const group = this.groups.get(call.skillGroup)
      if (call.state === 'Queued' && group !== undefined) this.enqueue(call, group)
      if (call.state === 'Offered' && call.reservation !== undefined)
        this.reservations.set(call.reservation.reservationId, call.reservation)
    }
    this.tick()
    for (const call of state.calls) if (call.state === 'Queued') this.dispatch(call)
  }

  // ---- internals ----

  private requireAgent(agentId: string): Agent {
    const agent = this.agents.get(agentId)
    if (agent === undefined) throw new AcdError(404, `agent ${agentId} is not signed in at the ACD of ${this.site}`)
    return agent
  }

  private requireCall(callId: string): Call {
    const call = this.calls.get(callId)
    if (call === undefined)
      throw new AcdError(404, `call ${callId} is not known to the ACD of ${this.site} (never queued, or already ended)`)
    return call
  }

  private requireReservation(reservationId: string): Reservation {
    const reservation = this.reservations.get(reservationId)
    if (reservation === undefined) {
      throw new AcdError(404, `reservation ${reservationId} is not open (unknown, or already answered, unanswered or withdrawn)`)
    }
    return reservation
  }

  /** Applies a change to an agent and keeps the free index and the LongestIdle clock right. */
  private update(agent: Agent, change: () => void): void {
    const wasFree = isFree(agent)
    const stateBefore = agent.state
    change()
    const now = this.now()
    if (agent.state !== stateBefore) agent.stateSince = now
    const free = isFree(agent)
    if (wasFree && !free) this.index.removeFree(agent)
    if (!wasFree && free) {
      agent.idleSince = now
      this.index.addFree(agent)
    }
    if (this.agents.get(agent.agentId) === agent) this.changes.agents.set(agent.agentId, agent)
  }

  /** Frees reserved agents (optionally putting them on Break); returns those still signed in. */
  private release(agentIds: readonly string[], breakReason?: string): Agent[] {
    const released: Agent[] = []
    for (const agentId of agentIds) {
      const agent = this.agents.get(agentId)
      if (agent === undefined) continue
      this.update(agent, () => {
        agent.state = 'Idle'
        delete agent.reservationId
        delete agent.callId
        if (breakReason !== undefined) {
          agent.status = 'Break'
          agent.statusReason = breakReason
        }
      })
      released.push(agent)
    }
    return released
  }

  private withdrawFromReservation(reservation: Reservation, agentId: string): void {
    reservation.agentIds = reservation.agentIds.filter((id) => id !== agentId)
    const call = this.calls.get(reservation.callId)
    if (call !== undefined) this.changes.calls.set(call.callId, call)
    if (reservation.agentIds.length > 0 || call === undefined) return
    this.reservations.delete(reservation.reservationId)
    this.requeue(call)
  }

  private requeue(call: Call): void {
    call.state = 'Queued'
    delete call.reservation
    const group = this.groups.get(call.skillGroup)
    if (group !== undefined) this.enqueue(call, group)
    this.instruct(call, { kind: 'wait' })
    this.dispatch(call)
  }

  /** Puts a call in its group's queue, and among the widened calls when escalation added groups. */
  private enqueue(call: Call, group: Group): void {
    group.queue.insert(call)
    if (this.routing(call, group, this.now()).skillGroups.length > 1) this.widened.add(call)
  }

  private startWrapUp(agent: Agent, call: Call, group: Group | undefined, freed: Agent[]): void {
    const wrapUpMs = (group?.spec.wrapUpSeconds ?? DEFAULT_WRAP_UP_SECONDS) * 1000
    const now = this.now()
    this.update(agent, () => {
      agent.callsTaken++
      agent.talkMilliseconds += now - (call.answeredAt ?? now)
      delete agent.callId
      if (wrapUpMs > 0) {
        agent.state = 'WrapUp'
        agent.wrapUpUntil = now + wrapUpMs
      } else agent.state = 'Idle'
    })
    if (agent.state === 'WrapUp') this.wrapUps.add(agent)
    else freed.push(agent)
  }

  private record(skillGroup: string, outcome: Outcome): void {
    const group = this.groups.get(skillGroup)
    if (group === undefined) return
    group.outcomes.add(outcome)
    group.totals[outcome.kind]++
    this.changes.outcomes.push({ skillGroup, outcome })
    this.options.onOutcome?.(skillGroup, outcome)
  }

  private instruct(call: Call, instruction: DistributiveOmit<Instruction, 'seq'>): void {
    call.instruction = { ...instruction, seq: call.instruction.seq + 1 }
    this.changes.calls.set(call.callId, call)
    this.options.onInstruction?.(call)
  }

  private priorityOf(call: Call, group: Group): number {
    return group.rules.hasPriority ? group.rules.priorityOf(this.celCall(call)) : 0
  }

  private celCall(call: Call): CelInput {
    let cel = this.celCalls.get(call)
    if (cel === undefined) {
      // A ready CelMap: handing CEL a plain object would convert it again on every evaluation.
      cel = celMap(
        toCel({
          ...call.attributes,
          callId: call.callId,
          caller: call.caller,
          called: call.called,
          trunk: call.trunk,
          skillGroup: call.originalSkillGroup,
        }) as Map<string, CelInput>,
      )
      this.celCalls.set(call, cel)
    }
    return cel
  }

  private routing(call: Call, group: Group, now: number): Routing {
    if (group.spec.escalation === undefined || group.spec.escalation.length === 0) return group.plainRouting
    return routingAfter(group.spec, call.skillGroup, now - call.groupEnteredAt)
  }

  /** Whether this agent may take this call now (used when an agent frees up). */
  private qualifies(agent: Agent, call: Call, group: Group, routing: Routing): boolean {
    if (call.triedAgentIds.includes(agent.agentId)) return false
    if (group.spec.strategy === 'Designated' && !(group.spec.designatedAgents ?? []).includes(agent.agentId)) return false
    let proficiency: number | undefined
    for (const name of routing.skillGroups) {
      const found = proficiencyIn(agent, name)
      if (found !== undefined && (proficiency === undefined || found > proficiency)) proficiency = found
    }
    if (proficiency === undefined) return false
    return this.eligible(agent, proficiency, call, group, routing)
  }

  /**
   * Whether the group's eligibility rule lets this agent take this call. For a free agent (entry) and a
   * rule that reads the call only by field (profile), the answer is remembered per call profile.
   */
  private eligible(
    agent: Agent,
    proficiency: number,
    call: Call,
    group: Group,
    routing: Routing,
    entry?: FreeEntry,
    profile?: string,
  ): boolean {
    const rules = group.rules
    if (!rules.hasEligibility) return true
    if (routing.minimumProficiency !== undefined && proficiency >= routing.minimumProficiency) return true
    if (entry === undefined || profile === undefined) return rules.isEligible(this.celAgent(agent, proficiency, entry), this.celCall(call))
    let remembered = entry.eligibility
    if (remembered?.rules !== rules) remembered = entry.eligibility = { rules, byProfile: new Map() }
    let answer = remembered.byProfile.get(profile)
    if (answer === undefined) {
      answer = rules.isEligible(this.celAgent(agent, proficiency, entry), this.celCall(call))
      remembered.byProfile.set(profile, answer)
    }
    return answer
  }

  private celAgent(agent: Agent, proficiency: number, entry?: FreeEntry): CelInput {
    if (entry?.cel !== undefined) return entry.cel
    const cel = celMap(
      new Map<string, CelInput>([
        ['agentId', agent.agentId],
        ['site', agent.site],
        ['extension', agent.extension],
        ['proficiency', BigInt(proficiency)],
        ['callsTaken', BigInt(agent.callsTaken)],
        ['talkSeconds', BigInt(Math.floor(agent.talkMilliseconds / 1000))],
      ]),
    )
    if (entry !== undefined) entry.cel = cel
    return cel
  }

  /** The values of the call fields the eligibility rule reads, as a key; undefined when answers cannot be reused. */
  private callProfile(call: Call, rules: CompiledRules): string | undefined {
    const fields = rules.eligibilityCallFields
    if (fields === undefined) return undefined
    const cel = this.celCall(call) as unknown as { get(key: string): unknown }
    return fields
      .map((field) => {
        const value = cel.get(field)
        return `${typeof value}:${String(value)}`
      })
      .join('\u0000')
  }

  private candidates(call: Call, group: Group, routing: Routing): Candidate[] {
    const candidates: Candidate[] = []
    const seen = routing.skillGroups.length > 1 ? new Set<string>() : undefined
    const tried = call.triedAgentIds.length > 0 ? call.triedAgentIds : undefined
    const profile = group.rules.hasEligibility ? this.callProfile(call, group.rules) : undefined
    for (const name of routing.skillGroups) {
      const free = this.index.freeIn(name)
      if (free === undefined) continue
      for (const entry of free.values()) {
        const candidate = entry.candidate
        if (seen !== undefined) {
          if (seen.has(candidate.agentId)) continue
          seen.add(candidate.agentId)
        }
        if (tried?.includes(candidate.agentId) === true) continue
        if (!this.eligible(entry.agent, candidate.proficiency, call, group, routing, entry, profile)) continue
        candidates.push(candidate)
      }
    }
    return candidates
  }

  /** The site a group is pinned to when that is not this one: its calls are never offered to agents here. */
  private pinnedAway(group: Group): string | undefined {
    const pinned = group.spec.pinnedSite
    return pinned !== undefined && pinned !== this.site ? pinned : undefined
  }

  /**
   * Offers a waiting call to the agent(s) its group's strategy picks among the free, eligible ones. A
   * call of a group pinned to another site (pinned while it waited, or one that overflowed or came back
   * unanswered into it) is transferred there instead.
   */
  private dispatch(call: Call): void {
    if (call.state !== 'Queued' || this.deciding.has(call.callId)) return
    const group = this.groups.get(call.skillGroup)
    if (group === undefined) return
    const pinned = this.pinnedAway(group)
    if (pinned !== undefined) {
      group.queue.remove(call)
      this.widened.delete(call)
      this.transfer(call, { site: pinned, skillGroup: group.name })
      return
    }
    const routing = this.routing(call, group, this.now())
    const candidates = this.candidates(call, group, routing)
    if (candidates.length === 0) return
    const spec = group.spec
    if (spec.strategy === 'Webhook' && spec.webhook !== undefined) {
      this.decideByWebhook(call, group, spec.webhook, candidates)
      return
    }
    const chosen = chooseAgents(spec.strategy, candidates, {
      history: call.history,
      roundRobinAfter: group.roundRobinAfter,
      designatedAgents: spec.designatedAgents,
    })
    if (chosen.length > 0) this.reserve(call, group, chosen)
  }

  private decideByWebhook(call: Call, group: Group, webhook: NonNullable<SkillGroupSpec['webhook']>, candidates: Candidate[]): void {
    const decision = this.webhook(webhook, call, candidates, this.now()).then((choice: WebhookChoice) => {
      if (this.deciding.get(call.callId) !== decision) return
      this.deciding.delete(call.callId)
      if (call.state !== 'Queued' || this.calls.get(call.callId) !== call) return
      if (this.pinnedAway(group) !== undefined) {
        this.dispatch(call)
        this.options.onChanged?.()
        return
      }
      this.options.onWebhookDecision?.(call, choice.decidedBy)
      // Agents may have been taken while the webhook thought: keep only those still free and eligible.
      const fresh = this.candidates(call, group, this.routing(call, group, this.now()))
      const stillFree = choice.chosen.filter((chosen) => fresh.some((candidate) => candidate.agentId === chosen.agentId))
      const chosen = stillFree.length > 0 ? stillFree : chooseAgents('LongestIdle', fresh, { history: call.history })
      if (chosen.length > 0) this.reserve(call, group, chosen)
      this.options.onChanged?.()
    })
    this.deciding.set(call.callId, decision)
  }

  private reserve(call: Call, group: Group, chosen: readonly Candidate[]): void {
    const now = this.now()
    const ringSeconds = group.spec.noAnswerSeconds ?? DEFAULT_NO_ANSWER_SECONDS
    const reservation: Reservation = {
      reservationId: this.newId(),
      callId: call.callId,
      agentIds: chosen.map((candidate) => candidate.agentId),
      offeredAt: now,
      expiresAt: now + ringSeconds * 1000 + this.graceMs,
    }
    for (const candidate of chosen) {
      const agent = this.agents.get(candidate.agentId)
      if (agent === undefined) continue
      this.update(agent, () => {
        agent.state = 'Reserved'
        agent.reservationId = reservation.reservationId
        agent.callId = call.callId
      })
    }
    group.queue.remove(call)
    this.widened.delete(call)
    call.state = 'Offered'
    call.reservation = reservation
    this.reservations.set(reservation.reservationId, reservation)
    if (group.spec.strategy === 'RoundRobin' && chosen[0] !== undefined) {
      group.roundRobinAfter = chosen[0].agentId
      this.changes.roundRobin.set(group.name, chosen[0].agentId)
    }
    this.instruct(call, {
      kind: 'offer',
      reservationId: reservation.reservationId,
      skillGroup: group.name,
      ringSeconds,
      agents: chosen.map(({ agentId, extension, operatorId }) => ({ agentId, extension, operatorId })),
    })
  }

  /** An agent just became free: offer the best waiting call the agent may take, if any. */
  private offerWorkTo(agent: Agent): void {
    if (!isFree(agent)) return
    const now = this.now()
    let best: Call | undefined
    const consider = (call: Call, group: Group): boolean => {
      if (best !== undefined && !offeredBefore(call, best)) return false
      if (this.deciding.has(call.callId) || !this.qualifies(agent, call, group, this.routing(call, group, now))) return false
      best = call
      return true
    }
    for (const skill of agent.skills) {
      const group = this.groups.get(skill.skillGroup)
      if (group === undefined || this.pinnedAway(group) !== undefined) continue
      // The queue is in offer order: the first call this agent may take is the group's best for the agent.
      for (const call of group.queue.calls) {
        if (best !== undefined && !offeredBefore(call, best)) break
        if (consider(call, group)) break
      }
    }
    for (const call of this.widened) {
      const group = this.groups.get(call.skillGroup)
      if (group !== undefined) consider(call, group)
    }
    if (best !== undefined) this.dispatch(best)
  }

  private applyTimers(call: Call, group: Group, now: number): void {
    const waitedMs = now - call.groupEnteredAt
    const target = overflowTarget({
      spec: group.spec,
      skillGroup: group.name,
      site: this.site,
      waitedMs,
      waitingAhead: 0,
      visitedGroups: call.visitedGroups,
    })
    if (target.kind !== 'none') {
      this.overflow(call, group, target)
      return
    }
    const routing = this.routing(call, group, now)
    if (routing.stepsApplied <= call.escalationStepsApplied) return
    call.escalationStepsApplied = routing.stepsApplied
    const priority = call.basePriority + routing.priorityBoost
    if (priority !== call.priority) {
      group.queue.remove(call)
      call.priority = priority
      group.queue.insert(call)
    }
    if (routing.skillGroups.length > 1) this.widened.add(call)
    this.changes.calls.set(call.callId, call)
    this.dispatch(call)
  }

  /** Moves a call out of its group; false when the target group is not projected here (the call stays). */
  private overflow(call: Call, from: Group, target: Exclude<OverflowTarget, { kind: 'none' }>): boolean {
    const to = target.kind === 'skillGroup' ? this.groups.get(target.skillGroup) : undefined
    if (target.kind === 'skillGroup' && to === undefined) return false
    const now = this.now()
    from.queue.remove(call)
    this.widened.delete(call)
    this.record(from.name, { at: now, waitedMs: now - call.groupEnteredAt, kind: 'overflowed' })
    if (target.kind === 'site') {
      this.transfer(call, target)
      return true
    }
    if (to === undefined) return false
    call.skillGroup = to.name
    call.visitedGroups.push(to.name)
    call.groupEnteredAt = now
    call.escalationStepsApplied = 0
    call.basePriority = call.priority = this.priorityOf(call, to)
    this.changes.calls.set(call.callId, call)
    this.enqueue(call, to)
    this.dispatch(call)
    return true
  }

  private transfer(call: Call, target: { site: string; skillGroup: string }): void {
    call.state = 'Transferred'
    this.instruct(call, { kind: 'transfer', site: target.site, skillGroup: target.skillGroup })
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
