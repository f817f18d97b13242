// Prometheus figures per skill group: waiting calls, longest wait, answered/abandoned/overflowed calls
// and the service level over the window; agents by state. Gauges are read from the engine when scraped.
// Every series carries the ACD's `site`, as the login service's do.
import { Counter, Gauge, Registry } from 'prom-client'
import type { AcdEngine } from './engine.ts'
import type { Outcome } from './service-level.ts'

export interface AcdMetrics {
  registry: Registry
  recordOutcome(skillGroup: string, outcome: Outcome): void
}

export function createAcdMetrics(site: string, engine: () => AcdEngine): AcdMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ site })
  const labelNames = ['skill_group'] as const
  const outcomes = {
    answered: new Counter({ name: 'acd_calls_answered_total', help: 'Calls answered by an agent.', labelNames, registers: [registry] }),
    abandoned: new Counter({
      name: 'acd_calls_abandoned_total',
      help: 'Calls whose caller hung up while queued or ringing.',
      labelNames,
      registers: [registry],
    }),
    overflowed: new Counter({
      name: 'acd_calls_overflowed_total',
      help: 'Calls that overflowed to another group or site.',
      labelNames,
      registers: [registry],
    }),
  }
  const waiting = new Gauge({
    name: 'acd_queue_waiting',
    help: 'Calls waiting (queued or ringing).',
    labelNames,
    registers: [registry],
    collect: () => refresh(),
  })
  const longest = new Gauge({
    name: 'acd_queue_longest_wait_seconds',
    help: 'Wait of the oldest waiting call.',
    labelNames,
    registers: [registry],
  })
  const level = new Gauge({
    name: 'acd_service_level_percent',
    help: 'Calls answered within the group threshold / calls offered, over the window.',
    labelNames,
    registers: [registry],
  })
  const available = new Gauge({ name: 'acd_agents_available', help: 'Agents free to take a call.', labelNames, registers: [registry] })
  const agents = new Gauge({ name: 'acd_agents', help: 'Signed-in agents by state.', labelNames: ['state'], registers: [registry] })
  function refresh(): void {
    waiting.reset()
    longest.reset()
    level.reset()
    available.reset()
    for (const stats of engine().stats()) {
      const labels = { skill_group: stats.skillGroup }
      waiting.set(labels, stats.waiting)
      longest.set(labels, stats.longestWaitSeconds)
      available.set(labels, stats.agents.available)
      if (stats.serviceLevel.percent !== null) level.set(labels, stats.serviceLevel.percent)
    }
    agents.reset()
    for (const [state, count] of Object.entries(engine().agentCounts().byState)) agents.set({ state }, count)
  }
  return {
    registry,
    recordOutcome(skillGroup, outcome) {
      outcomes[outcome.kind].inc({ skill_group: skillGroup })
    },
  }
}
