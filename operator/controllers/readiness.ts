// A controller for kinds whose only operator-written status is Ready: it runs the cross-object checks
// and reports Ready=False with the reason (plus a Warning Event) or Ready=True, writing only on change.
import { summarize, type Problem } from '../checks/problem.ts'
import type { Applier } from '../runtime/apply.ts'
import { setConditions, type Condition } from '../runtime/conditions.ts'
import { Controller, type Watch } from '../runtime/controller.ts'
import type { EventRecorder } from '../runtime/events.ts'
import type { Informer } from '../runtime/informer.ts'
import type { Logger } from '../runtime/log.ts'
import type { OperatorMetrics } from '../runtime/metrics.ts'
import type { KubeObject, ResourceType } from '../runtime/resource.ts'

export type WithStatus = KubeObject & { status?: { conditions?: Condition[] } }

export interface ReadinessControllerOptions<T extends WithStatus> {
  name: string
  type: ResourceType
  informer: Informer<T>
  check: (object: T) => Problem[]
  watches: Watch<KubeObject>[]
  applier: Applier
  events: EventRecorder
  log: Logger
  metrics: OperatorMetrics
  workers?: number
  now?: () => Date
}

export function readyCondition(problems: readonly Problem[]) {
  const problem = summarize(problems)
  return problem
    ? { type: 'Ready', status: 'False' as const, reason: problem.reason, message: problem.message }
    : { type: 'Ready', status: 'True' as const, reason: 'Valid', message: 'every reference resolves and nothing is claimed twice' }
}

export function readinessController<T extends WithStatus>(options: ReadinessControllerOptions<T>): Controller<T> {
  const { informer, type, applier, events } = options
  const now = options.now ?? (() => new Date())
  const controller = new Controller<T>({
    name: options.name,
    primary: informer,
    log: options.log,
    metrics: options.metrics,
    workers: options.workers ?? 8,
    specChangesOnly: true,
    reconcile: async (key) => {
      const object = informer.store.get(key)
      if (!object || object.metadata.deletionTimestamp) return undefined
      const wanted = readyCondition(options.check(object))
      const previous = object.status?.conditions?.find((c) => c.type === 'Ready')
      const conditions = setConditions(object.status?.conditions, [wanted], object.metadata.generation, now())
      await applier.applyStatus(type, object, { observedGeneration: object.metadata.generation ?? 0, conditions })
      if (wanted.status === 'False' && (previous?.reason !== wanted.reason || previous.message !== wanted.message)) {
        await events.record(object, { type: 'Warning', reason: wanted.reason, action: 'Validate', note: wanted.message })
      } else if (wanted.status === 'True' && previous?.status === 'False') {
        await events.record(object, {
          type: 'Normal',
          reason: 'Resolved',
          action: 'Validate',
          note: `no longer ${previous.reason}: ${wanted.message}`,
        })
      }
      return undefined
    },
  })
  for (const watch of options.watches) controller.watch(watch)
  return controller
}
