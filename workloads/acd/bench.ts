// Benchmark: ACD decisions at 15,000 agents over 400 skill groups (examples/fleet buildFleet()), in
// memory (the engine; no HTTP or Redis). A decision is queueCall(): find the free, eligible agents of
// the call's groups, apply the group's strategy and reserve the chosen agent(s). Each offered call is
// then answered and ended (not timed) so agents cycle through wrap-up. Prints JSON.
//   bash scripts/node24.sh workloads/acd/bench.ts [--decisions 100000] [--seconds 10] [--variant 0|1]
import { parseArgs } from 'node:util'
import { buildFleet } from '../../examples/fleet/fleet.ts'
import { AcdEngine } from './engine.ts'
import type { SkillGroupSpec } from './model.ts'

const { values } = parseArgs({
  options: { decisions: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '10' }, variant: { type: 'string' } },
})
const maxDecisions = Number(values.decisions)
const maxSeconds = Number(values.seconds)

const fleet = buildFleet()
/** The AgentSeat schema's default proficiency. */
const DEFAULT_PROFICIENCY = 5

interface Variant {
  name: string
  spec: (spec: SkillGroupSpec) => SkillGroupSpec
}

const variants: Variant[] = [
  { name: 'fleet as generated (strategies rotate over the groups)', spec: (spec) => spec },
  {
    name: 'with CEL rules on every group (eligibility per candidate, priority per call)',
    spec: (spec) => ({ ...spec, rules: { eligibility: 'agent.proficiency >= 2 || call.vip', priority: 'call.vip ? 10 : 0' } }),
  },
]

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

function run(variant: Variant) {
  const clock = { now: 1_700_000_000_000 }
  let ids = 0
  const engine = new AcdEngine({ site: 'shanghai', now: () => clock.now, newId: () => `r${++ids}` })
  for (const group of fleet.skillGroups) {
    const result = engine.setSkillGroup(group.metadata.name, variant.spec(group.spec))
    if (!result.ok) throw new Error(result.message)
  }
  for (const seat of fleet.agentSeats) {
    const skills = seat.spec.skills.map((skill) => ({
      skillGroup: skill.skillGroup,
      proficiency: skill.proficiency ?? DEFAULT_PROFICIENCY,
    }))
    engine.signIn(seat.spec.agentId, { site: 'shanghai', extension: seat.spec.agentId, operatorId: seat.spec.agentId, skills })
  }
  engine.takeChanges()
  const groupNames = fleet.skillGroups.map((group) => group.metadata.name)
  const timings = new Float64Array(maxDecisions)
  let state = 12345
  let decisions = 0
  let offered = 0
  const started = performance.now()
  const deadline = started + maxSeconds * 1000
  while (decisions < maxDecisions && performance.now() < deadline) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    const skillGroup = groupNames[state % groupNames.length] ?? 'sg-000'
    const callId = `c${decisions}`
    const t0 = performance.now()
    const call = engine.queueCall({
      callId,
      skillGroup,
      caller: `1380000${state % 5000}`,
      called: '4008',
      attributes: { vip: state % 10 === 0 },
    })
    timings[decisions++] = performance.now() - t0
    if (call.instruction.kind === 'offer') {
      offered++
      const first = call.instruction.agents[0]
      if (first !== undefined) engine.answered(call.instruction.reservationId, first.agentId)
    }
    engine.ended(callId)
    clock.now += 20
    if (decisions % 50 === 0) engine.tick()
    if (decisions % 1000 === 0) engine.takeChanges()
  }
  const seconds = (performance.now() - started) / 1000
  const sorted = timings.slice(0, decisions).sort()
  const decisionSeconds = sorted.reduce((sum, ms) => sum + ms, 0) / 1000
  return {
    variant: variant.name,
    decisions,
    offered,
    loopSeconds: Number(seconds.toFixed(3)),
    decisionsPerSecond: Math.round(decisions / decisionSeconds),
    loopCallsPerSecond: Math.round(decisions / seconds),
    p50Ms: Number(percentile(sorted, 50).toFixed(4)),
    p99Ms: Number(percentile(sorted, 99).toFixed(4)),
    maxMs: Number((sorted[sorted.length - 1] ?? 0).toFixed(4)),
  }
}

const chosen = values.variant === undefined ? variants : variants.filter((_, index) => String(index) === values.variant)
const results = chosen.map(run)
console.log(
  JSON.stringify(
    {
      benchmark: 'acd-decisions',
      agents: fleet.agentSeats.length,
      skillGroups: fleet.skillGroups.length,
      node: process.version,
      targets: { decisionsPerSecond: 20000, p99Ms: 2 },
      results,
      met: results.every((r) => r.decisionsPerSecond >= 20000 && r.p99Ms < 2),
    },
    null,
    2,
  ),
)
