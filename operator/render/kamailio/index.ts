// Renders the configuration of one Kamailio SIP edge: kamailio.cfg and the dispatcher.list it loads.
import { renderDispatcherList } from './dispatcher-list.ts'
import { renderKamailioCfg } from './kamailio-cfg.ts'
import type { EdgeRenderInput } from './model.ts'
import { planEdge } from './plan.ts'
import { formatEdgeProblems, validateEdgeInput, type EdgeInputProblem } from './validate.ts'

export type { EdgeRenderInput, SoftswitchAddress } from './model.ts'
export { CALLS_TO_SITE_PROFILE, RPC_PATH } from './model.ts'
export { planEdge, type EdgePlan, type PlannedSet, type PlannedDestination, type TrunkRoute } from './plan.ts'
export { validateEdgeInput, formatEdgeProblems, type EdgeInputProblem } from './validate.ts'

export interface RenderedEdge {
  kamailioCfg: string
  dispatcherList: string
}

export class EdgeInputError extends Error {
  readonly problems: readonly EdgeInputProblem[]
  constructor(site: string, problems: readonly EdgeInputProblem[]) {
    super(`cannot render the SIP edge of site ${site}:\n${formatEdgeProblems(problems)}`)
    this.name = 'EdgeInputError'
    this.problems = problems
  }
}

/** Renders an edge; throws EdgeInputError listing every problem when the input cannot be honoured. */
export function renderEdge(input: EdgeRenderInput): RenderedEdge {
  const problems = validateEdgeInput(input)
  if (problems.length > 0) throw new EdgeInputError(input.site, problems)
  const plan = planEdge(input)
  return { kamailioCfg: renderKamailioCfg(input, plan), dispatcherList: renderDispatcherList(plan, input.site) }
}
