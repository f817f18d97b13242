// Prometheus figures of the CTI bridge: calls offered to agents, answered and abandoned, per skill group,
// and Event Socket errors (a connection that failed or closed under a call, a command FreeSWITCH refused).
// Every series carries the bridge's `site`, as the login service's and the ACD's do.
import { Counter, Gauge, Registry } from 'prom-client'

export type CallOutcome = 'answered' | 'abandoned' | 'transferred' | 'failed'
export type EslErrorKind = 'connection' | 'command'

export interface CtiMetrics {
  registry: Registry
  callOffered(skillGroup: string): void
  callEnded(skillGroup: string, outcome: CallOutcome): void
  eslError(kind: EslErrorKind): void
  callsInProgress(count: () => number): void
}

export function createCtiMetrics(site: string): CtiMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ site })
  const offered = new Counter({
    name: 'cti_calls_offered_total',
    help: 'Calls rung at one or more agents (a re-offer after no answer counts again).',
    labelNames: ['skill_group'],
    registers: [registry],
  })
  const ended = new Counter({
    name: 'cti_calls_total',
    help: 'Calls that left the bridge, by outcome: answered, abandoned (the caller hung up first), transferred, failed.',
    labelNames: ['skill_group', 'outcome'],
    registers: [registry],
  })
  const eslErrors = new Counter({
    name: 'cti_esl_errors_total',
    help: 'Event Socket errors: a connection that failed under a call, or a command FreeSWITCH refused.',
    labelNames: ['kind'],
    registers: [registry],
  })
  let inProgress: () => number = () => 0
  new Gauge({
    name: 'cti_calls_in_progress',
    help: 'Calls the bridge holds now.',
    registers: [registry],
    collect() {
      this.set(inProgress())
    },
  })
  return {
    registry,
    callOffered: (skillGroup) => offered.inc({ skill_group: skillGroup }),
    callEnded: (skillGroup, outcome) => ended.inc({ skill_group: skillGroup, outcome }),
    eslError: (kind) => eslErrors.inc({ kind }),
    callsInProgress: (count) => {
      inProgress = count
    },
  }
}
