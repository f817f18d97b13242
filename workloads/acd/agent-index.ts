// Agents indexed by skill group, so that a decision looks only at the free agents of the call's groups
// instead of scanning every signed-in agent. "Free" means status Available and state Idle. A free
// agent's candidate snapshot (per group) is made once when the agent becomes free, and shared by every
// decision until the agent is taken: nothing in it changes while the agent stays free.
import type { CelInput } from '@bufbuild/cel'
import type { Agent, Candidate } from './model.ts'

export function isFree(agent: Agent): boolean {
  return agent.status === 'Available' && agent.state === 'Idle'
}

export interface FreeEntry {
  agent: Agent
  candidate: Candidate
  /** The agent as CEL sees it in this group, made on first use by an eligibility rule. */
  cel?: CelInput
  /** Eligibility answers of these rules for this agent, by call profile (see CompiledRules.eligibilityCallFields). */
  eligibility?: { rules: object; byProfile: Map<string, boolean> }
}

/** Whether two snapshots differ in what CEL sees of the agent (its idle time is not visible to rules). */
function celVisibleChange(before: Candidate, after: Candidate): boolean {
  return (
    before.proficiency !== after.proficiency ||
    before.callsTaken !== after.callsTaken ||
    before.talkMilliseconds !== after.talkMilliseconds ||
    before.extension !== after.extension
  )
}

export class AgentIndex {
  /** Signed-in agents per group (any status or state). */
  private readonly members = new Map<string, Set<string>>()
  private readonly free = new Map<string, Map<string, FreeEntry>>()
  /**
   * Every member's latest entry per group, free or not: an agent freed again without a change CEL can
   * see (e.g. after losing a ring-all) keeps its CEL value and remembered eligibility answers.
   */
  private readonly entries = new Map<string, Map<string, FreeEntry>>()

  addMember(agent: Agent): void {
    for (const skill of agent.skills) {
      let group = this.members.get(skill.skillGroup)
      if (group === undefined) this.members.set(skill.skillGroup, (group = new Set()))
      group.add(agent.agentId)
    }
  }

  removeMember(agent: Agent): void {
    for (const skill of agent.skills) this.members.get(skill.skillGroup)?.delete(agent.agentId)
    this.entries.delete(agent.agentId)
  }

  addFree(agent: Agent): void {
    let entries = this.entries.get(agent.agentId)
    if (entries === undefined) this.entries.set(agent.agentId, (entries = new Map<string, FreeEntry>()))
    for (const skill of agent.skills) {
      let group = this.free.get(skill.skillGroup)
      if (group === undefined) this.free.set(skill.skillGroup, (group = new Map<string, FreeEntry>()))
      const candidate: Candidate = {
        agentId: agent.agentId,
        extension: agent.extension,
        operatorId: agent.operatorId,
        proficiency: skill.proficiency,
        idleSince: agent.idleSince,
        callsTaken: agent.callsTaken,
        talkMilliseconds: agent.talkMilliseconds,
      }
      const previous = entries.get(skill.skillGroup)
      const entry: FreeEntry =
        previous === undefined || previous.agent !== agent || celVisibleChange(previous.candidate, candidate)
          ? { agent, candidate }
          : { agent, candidate, cel: previous.cel, eligibility: previous.eligibility }
      entries.set(skill.skillGroup, entry)
      group.set(agent.agentId, entry)
    }
  }

  removeFree(agent: Agent): void {
    for (const skill of agent.skills) this.free.get(skill.skillGroup)?.delete(agent.agentId)
  }

  freeIn(skillGroup: string): Map<string, FreeEntry> | undefined {
    return this.free.get(skillGroup)
  }

  counts(skillGroup: string): { signedIn: number; free: number } {
    return { signedIn: this.members.get(skillGroup)?.size ?? 0, free: this.free.get(skillGroup)?.size ?? 0 }
  }
}

export function proficiencyIn(agent: Agent, skillGroup: string): number | undefined {
  for (const skill of agent.skills) if (skill.skillGroup === skillGroup) return skill.proficiency
  return undefined
}
