// The five kinds of the callcenter.dev API: names, printer columns and schemas, the one source from
// which the CRD YAML, the TypeScript types and the validators are made.
import type { TSchema } from 'typebox'
import { AgentSeatSpec, AgentSeatStatus } from './schema/agentseat.ts'
import { PhoneMACSpec, PhoneMACStatus } from './schema/phonemac.ts'
import { SiteSpec, SiteStatus } from './schema/site.ts'
import type { CelRule } from './schema/common.ts'
import { SkillGroupObjectRules, SkillGroupSpec, SkillGroupStatus } from './schema/skillgroup.ts'
import { TrunkSpec, TrunkStatus } from './schema/trunk.ts'

export const GROUP = 'callcenter.dev'
export const VERSION = 'v1alpha1'
export const API_VERSION = `${GROUP}/${VERSION}`
export const CATEGORY = 'callcenter'

export interface PrinterColumn {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  jsonPath: string
  description: string
  priority?: number
}

export interface KindDefinition {
  kind: string
  plural: string
  singular: string
  shortNames: string[]
  description: string
  spec: TSchema
  status: TSchema
  /** CEL rules on the whole object, for rules that read metadata.name (the only metadata rules may read). */
  objectRules?: CelRule[]
  printerColumns: PrinterColumn[]
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' }

export const kinds: KindDefinition[] = [
  {
    kind: 'Site',
    plural: 'sites',
    singular: 'site',
    shortNames: ['ccsite'],
    description:
      'Site is one location of the call center: its soft switches, SIP edge, ACD, login and CTI services, Redis, operator-ID pools, heartbeat policy, planned switchover (traffic) and chaos drills.',
    spec: SiteSpec,
    status: SiteStatus,
    printerColumns: [
      { name: 'Traffic', type: 'string', jsonPath: '.spec.traffic', description: 'Active, Drain or Fenced.' },
      { name: 'Role', type: 'string', jsonPath: '.status.role', description: 'Serving, Absorbing, Drained or Down.' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'One-word summary.' },
      { name: 'Health', type: 'string', jsonPath: '.status.health', description: 'Heartbeat state.' },
      { name: 'Agents', type: 'integer', jsonPath: '.status.agents.hosted', description: 'Agents signed in here now.' },
      { name: 'Share', type: 'integer', jsonPath: '.status.trafficShare', description: 'Percent of new calls this site receives.' },
      {
        name: 'Held',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Held")].status',
        description: 'True: a change of the spec waits, as no other site serves (condition Held).',
        priority: 1,
      },
      { name: 'Last-Drill', type: 'string', jsonPath: '.status.lastDrill.state', description: 'State of the latest drill.', priority: 1 },
      age,
    ],
  },
  {
    kind: 'Trunk',
    plural: 'trunks',
    singular: 'trunk',
    shortNames: ['cctrunk'],
    description:
      'Trunk is a carrier trunk reachable at one or more sites: the split of its calls by weight and caller prefix, and its outbound caller-ID pool.',
    spec: TrunkSpec,
    status: TrunkStatus,
    printerColumns: [
      { name: 'Carrier', type: 'string', jsonPath: '.spec.carrier', description: 'Carrier name.' },
      {
        name: 'Local-First',
        type: 'boolean',
        jsonPath: '.spec.routing.localFirst',
        description: 'Whether soft switches prefer their own site.',
      },
      { name: 'Routes', type: 'string', jsonPath: '.status.routeSummary', description: 'Effective split between the sites.' },
      { name: 'Last-Flip', type: 'date', jsonPath: '.status.lastFlip.time', description: 'When routing last changed.' },
      age,
    ],
  },
  {
    kind: 'SkillGroup',
    plural: 'skillgroups',
    singular: 'skillgroup',
    shortNames: ['skg'],
    description: 'SkillGroup is a queue and its routing: strategy, CEL rules, timed escalation, overflow and service-level target.',
    spec: SkillGroupSpec,
    status: SkillGroupStatus,
    objectRules: SkillGroupObjectRules,
    printerColumns: [
      { name: 'Strategy', type: 'string', jsonPath: '.spec.strategy', description: 'How an agent is chosen.' },
      {
        name: 'SL-Target',
        type: 'integer',
        jsonPath: '.spec.serviceLevel.targetPercent',
        description: 'Percent to answer within the threshold.',
      },
      { name: 'Within', type: 'integer', jsonPath: '.spec.serviceLevel.withinSeconds', description: 'Answer threshold in seconds.' },
      { name: 'Available', type: 'integer', jsonPath: '.status.agents.available', description: 'Agents available now.' },
      { name: 'Waiting', type: 'integer', jsonPath: '.status.queue.waiting', description: 'Calls waiting now.' },
      { name: 'SL', type: 'integer', jsonPath: '.status.serviceLevelPercent', description: 'Service level achieved, percent.' },
      age,
    ],
  },
  {
    kind: 'AgentSeat',
    plural: 'agentseats',
    singular: 'agentseat',
    shortNames: ['seat'],
    description: 'AgentSeat is a virtual agent ID: the domain account that signs in, its skill groups, home site and allowed sites.',
    spec: AgentSeatSpec,
    status: AgentSeatStatus,
    printerColumns: [
      { name: 'Agent-ID', type: 'string', jsonPath: '.spec.agentId', description: 'Virtual agent ID.' },
      { name: 'Account', type: 'string', jsonPath: '.spec.account', description: 'Domain account.' },
      { name: 'Home', type: 'string', jsonPath: '.spec.homeSite', description: 'Home site.' },
      { name: 'State', type: 'string', jsonPath: '.status.state', description: 'SignedIn or SignedOut.' },
      { name: 'Site', type: 'string', jsonPath: '.status.currentSite', description: 'Site signed in at.' },
      age,
    ],
  },
  {
    kind: 'PhoneMAC',
    plural: 'phonemacs',
    singular: 'phonemac',
    shortNames: ['phone'],
    description:
      'PhoneMAC is an IP phone: its MAC, the PC on the same switch port, its extension and line at each site, and its SIP credentials.',
    spec: PhoneMACSpec,
    status: PhoneMACStatus,
    printerColumns: [
      { name: 'MAC', type: 'string', jsonPath: '.spec.mac', description: 'MAC address.' },
      { name: 'PC', type: 'string', jsonPath: '.spec.pcHostName', description: 'PC host name on the same switch port.' },
      { name: 'Registered', type: 'string', jsonPath: '.status.registered', description: 'Sites the phone is registered at.' },
      { name: 'Model', type: 'string', jsonPath: '.spec.model', description: 'Phone model.', priority: 1 },
      age,
    ],
  },
]

export function kindDefinition(kind: string): KindDefinition {
  const found = kinds.find((k) => k.kind === kind)
  if (!found) throw new Error(`unknown kind ${kind}: expected one of ${kinds.map((k) => k.kind).join(', ')}`)
  return found
}
