// Writes a fleet as multi-document YAML, one file per kind, ready for `kubectl apply -f DIR`.
// Usage: npm run fleet -- [--agents N] [--skill-groups N] [--namespace NS] --out DIR
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { buildFleet, defaultFleetOptions, type Fleet } from './fleet.ts'

export function fleetFiles(fleet: Fleet): Map<string, string> {
  const toYaml = (objects: object[]) => objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n')
  return new Map([
    ['10-sites.yaml', toYaml(fleet.sites)],
    ['30-skillgroups.yaml', toYaml(fleet.skillGroups)],
    ['40-agentseats.yaml', toYaml(fleet.agentSeats)],
    ['50-phonemacs.yaml', toYaml(fleet.phoneMACs)],
  ])
}

function wholeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed)) throw new Error(`--${flag} must be a whole number, got ${JSON.stringify(value)}`)
  return parsed
}

function main(): void {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string' },
      'skill-groups': { type: 'string' },
      namespace: { type: 'string' },
      out: { type: 'string' },
    },
  })
  if (!values.out) throw new Error('--out DIR is required: the folder to write the fleet YAML into')
  const fleet = buildFleet({
    agents: wholeNumber('agents', values.agents, defaultFleetOptions.agents),
    skillGroups: wholeNumber('skill-groups', values['skill-groups'], defaultFleetOptions.skillGroups),
    namespace: values.namespace ?? defaultFleetOptions.namespace,
  })
  mkdirSync(values.out, { recursive: true })
  for (const [name, content] of fleetFiles(fleet)) writeFileSync(join(values.out, name), content)
  console.log(
    `wrote ${fleet.sites.length} Sites, ${fleet.skillGroups.length} SkillGroups, ${fleet.agentSeats.length} AgentSeats and ${fleet.phoneMACs.length} PhoneMACs to ${values.out}`,
  )
}

if (import.meta.main) {
  try {
    main()
  } catch (error) {
    console.error(`fleet: ${(error as Error).message}`)
    process.exitCode = 2
  }
}
