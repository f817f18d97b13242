// Problems in an edge's input that the CRD schema cannot catch because they span objects or depend on
// what the operator resolved (soft-switch addresses). The operator reports them as Ready=False.
import type { EdgeRenderInput } from './model.ts'
import { normalizeNumber } from './plan.ts'

export interface EdgeInputProblem {
  /** The object at fault, e.g. "Trunk/telecom" or "edge". */
  object: string
  /** The field at fault, e.g. "spec.sites[1].weight". */
  field: string
  message: string
}

export function formatEdgeProblems(problems: readonly EdgeInputProblem[]): string {
  return problems.map((p) => `${p.object} ${p.field}: ${p.message}`).join('\n')
}

function trunkProblems(input: EdgeRenderInput, knownSites: Set<string>): EdgeInputProblem[] {
  const problems: EdgeInputProblem[] = []
  const numberOwner = new Map<string, string>()
  for (const trunk of input.trunks) {
    const object = `Trunk/${trunk.metadata.name}`
    const trunkSites = new Set(trunk.spec.sites.map((s) => s.site))
    const total = trunk.spec.sites.reduce((sum, s) => sum + s.weight, 0)
    if (total !== 100) problems.push({ object, field: 'spec.sites', message: `the weights add up to ${total}, not 100 (percent)` })
    trunk.spec.sites.forEach((entry, index) => {
      const field = `spec.sites[${index}]`
      if (!knownSites.has(entry.site)) {
        problems.push({ object, field: `${field}.site`, message: `site "${entry.site}" is not a known Site` })
      } else if (entry.weight > 0 && (input.softswitches[entry.site] ?? []).length === 0) {
        problems.push({
          object,
          field: `${field}.weight`,
          message: `weight ${entry.weight} cannot be honoured: site "${entry.site}" has no soft switches to send calls to`,
        })
      }
    })
    trunk.spec.routing?.prefixRules?.forEach((rule, index) => {
      const field = `spec.routing.prefixRules[${index}].site`
      if (!knownSites.has(rule.site))
        problems.push({ object, field, message: `prefix ${rule.prefix} names "${rule.site}", not a known Site` })
      else if (!trunkSites.has(rule.site))
        problems.push({
          object,
          field,
          message: `prefix ${rule.prefix} names "${rule.site}", which this trunk does not reach (spec.sites)`,
        })
      else if ((input.softswitches[rule.site] ?? []).length === 0)
        problems.push({ object, field, message: `prefix ${rule.prefix} routes to "${rule.site}", which has no soft switches` })
    })
    const numbers = trunk.spec.numbers ?? []
    if (numbers.length === 0) {
      problems.push({
        object,
        field: 'spec.numbers',
        message: "no inbound numbers: the edge recognises a trunk's calls by the called number, so this trunk's calls would be refused",
      })
    }
    numbers.forEach((number, index) => {
      const owner = numberOwner.get(normalizeNumber(number))
      if (owner !== undefined && owner !== trunk.metadata.name) {
        problems.push({ object, field: `spec.numbers[${index}]`, message: `number ${number} is also delivered by Trunk/${owner}` })
      }
      numberOwner.set(normalizeNumber(number), trunk.metadata.name)
    })
  }
  return problems
}

function edgeProblems(input: EdgeRenderInput, knownSites: Set<string>): EdgeInputProblem[] {
  const problems: EdgeInputProblem[] = []
  if (!knownSites.has(input.site)) problems.push({ object: 'edge', field: 'site', message: `site "${input.site}" is not a known Site` })
  if (input.rpc.host === input.listen.host && input.rpc.port === input.listen.sipPort) {
    problems.push({ object: 'edge', field: 'rpc.port', message: `JSON-RPC port ${input.rpc.port} is also the SIP port` })
  }
  for (const [site, servers] of Object.entries(input.softswitches)) {
    if (!knownSites.has(site))
      problems.push({ object: 'edge', field: `softswitches.${site}`, message: `site "${site}" is not a known Site` })
    const names = new Set<string>()
    servers.forEach((server, index) => {
      if (names.has(server.name))
        problems.push({
          object: 'edge',
          field: `softswitches.${site}[${index}].name`,
          message: `soft switch "${server.name}" is listed twice`,
        })
      names.add(server.name)
    })
  }
  return problems
}

export function validateEdgeInput(input: EdgeRenderInput): EdgeInputProblem[] {
  const knownSites = new Set(input.sites.map((site) => site.metadata.name))
  return [...edgeProblems(input, knownSites), ...trunkProblems(input, knownSites)]
}
