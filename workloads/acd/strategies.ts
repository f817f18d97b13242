// Pure choice of agent(s) for a call among a snapshot of eligible, free candidates. Each strategy
// returns the candidates to offer the call to: one agent, all of them (RingAll) or none (Designated
// without a designated agent free). Ties always fall back to the longest idle agent, then agent ID,
// so a choice is repeatable.
import type { Candidate, CallerHistory, Strategy } from './model.ts'

export interface StrategyContext {
  history: CallerHistory
  /** RoundRobin: the agent this group's previous call went to. */
  roundRobinAfter?: string
  /** Designated: the only agents that may take the group's calls. */
  designatedAgents?: readonly string[]
}

/** Webhook decides outside; its fallback (timeout, error, unknown answer) is LongestIdle. */
export type LocalStrategy = Exclude<Strategy, 'Webhook'>

function longerIdle(a: Candidate, b: Candidate): boolean {
  return a.idleSince < b.idleSince || (a.idleSince === b.idleSince && a.agentId < b.agentId)
}

/** The candidate with the lowest score; ties go to the longest idle. */
function lowest(candidates: readonly Candidate[], score: (candidate: Candidate) => number): Candidate[] {
  let best: Candidate | undefined
  let bestScore = Infinity
  for (const candidate of candidates) {
    const value = score(candidate)
    if (best === undefined || value < bestScore || (value === bestScore && longerIdle(candidate, best))) {
      best = candidate
      bestScore = value
    }
  }
  return best === undefined ? [] : [best]
}

export function longestIdle(candidates: readonly Candidate[]): Candidate[] {
  return lowest(candidates, () => 0)
}

export function roundRobin(candidates: readonly Candidate[], context: StrategyContext): Candidate[] {
  const after = context.roundRobinAfter
  let next: Candidate | undefined
  let first: Candidate | undefined
  for (const candidate of candidates) {
    if (first === undefined || candidate.agentId < first.agentId) first = candidate
    if (after !== undefined && candidate.agentId > after && (next === undefined || candidate.agentId < next.agentId)) next = candidate
  }
  const chosen = next ?? first
  return chosen === undefined ? [] : [chosen]
}

export function fewestCalls(candidates: readonly Candidate[]): Candidate[] {
  return lowest(candidates, (candidate) => candidate.callsTaken)
}

export function leastTalkTime(candidates: readonly Candidate[]): Candidate[] {
  return lowest(candidates, (candidate) => candidate.talkMilliseconds)
}

export function lastServed(candidates: readonly Candidate[], context: StrategyContext): Candidate[] {
  const last = candidates.find((candidate) => candidate.agentId === context.history.lastAgentId)
  return last === undefined ? longestIdle(candidates) : [last]
}

export function mostServed(candidates: readonly Candidate[], context: StrategyContext): Candidate[] {
  const counts = context.history.servedCounts
  const familiar = candidates.filter((candidate) => (counts[candidate.agentId] ?? 0) > 0)
  if (familiar.length === 0) return longestIdle(candidates)
  return lowest(familiar, (candidate) => -(counts[candidate.agentId] ?? 0))
}

export function designated(candidates: readonly Candidate[], context: StrategyContext): Candidate[] {
  const allowed = new Set(context.designatedAgents ?? [])
  return longestIdle(candidates.filter((candidate) => allowed.has(candidate.agentId)))
}

/** Everyone at once, longest idle first (the order the CTI rings them in when it cannot ring in parallel). */
export function ringAll(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort((a, b) => (longerIdle(a, b) ? -1 : longerIdle(b, a) ? 1 : 0))
}

const strategies: Record<LocalStrategy, (candidates: readonly Candidate[], context: StrategyContext) => Candidate[]> = {
  LongestIdle: longestIdle,
  RoundRobin: roundRobin,
  FewestCalls: fewestCalls,
  LeastTalkTime: leastTalkTime,
  LastServed: lastServed,
  MostServed: mostServed,
  Designated: designated,
  RingAll: ringAll,
}

export function chooseAgents(strategy: Strategy, candidates: readonly Candidate[], context: StrategyContext): Candidate[] {
  return strategy === 'Webhook' ? longestIdle(candidates) : strategies[strategy](candidates, context)
}
