// The dispatcher.list file kamailio loads at start and on dispatcher.reload.
// Columns: set id, destination URI, flags, priority, attributes. The attributes carry `site` and a
// `duid` of site-name (and `weight` when it is above 0; a fallback has none), so the edge agent can find every destination of a site in dispatcher.list.
import type { EdgePlan } from './plan.ts'

export function renderDispatcherList(plan: EdgePlan, site: string): string {
  const lines = [
    `# Dispatcher sets of the SIP edge at site ${site}. Rendered by the callcenter operator: do not edit.`,
    '# set  destination  flags  priority  attributes',
  ]
  for (const set of plan.sets) {
    lines.push('', `# set ${set.id}: ${set.description}`)
    for (const d of set.destinations) {
      const weight = d.weight > 0 ? `;weight=${d.weight}` : ''
      lines.push(`${set.id} ${d.uri} ${d.flags} ${d.priority} duid=${d.site}-${d.name}${weight};site=${d.site}`)
    }
  }
  return lines.join('\n') + '\n'
}
