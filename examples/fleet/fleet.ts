// Pure: builds a large fleet (Sites, SkillGroups, AgentSeats and their PhoneMACs) for benchmarks.
// Deterministic: the same options always give the same objects.
import { strategies } from '../../crds/schema/skillgroup.ts'
import type { AgentSeat, PhoneMAC, Site, SkillGroup } from '../../crds/types.ts'

export interface FleetOptions {
  agents: number
  skillGroups: number
  namespace: string
}

export const defaultFleetOptions: FleetOptions = { agents: 15000, skillGroups: 400, namespace: 'callcenter' }

const SITES = [
  { name: 'shanghai', displayName: 'Shanghai', pc: 'SH', extensionPrefix: '3', poolStart: 100000 },
  { name: 'nantong', displayName: 'Nantong', pc: 'NT', extensionPrefix: '6', poolStart: 500000 },
] as const

const API_VERSION = 'callcenter.dev/v1alpha1'

/** A small linear congruential generator: repeatable spread without a dependency. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function site(options: FleetOptions, spec: (typeof SITES)[number]): Site {
  const poolSize = Math.min(99999, Math.max(1000, Math.ceil(options.agents * 1.2)))
  return {
    apiVersion: API_VERSION,
    kind: 'Site',
    metadata: { name: spec.name, namespace: options.namespace },
    spec: {
      displayName: spec.displayName,
      components: {
        softswitch: { mode: 'Managed' },
        edge: { mode: 'Managed' },
        acd: { mode: 'Managed' },
        login: { mode: 'Managed' },
        cti: { mode: 'Managed' },
      },
      redis: { mode: 'Managed' },
      operatorIdPools: [{ name: 'general', from: spec.poolStart, to: spec.poolStart + poolSize - 1 }],
    },
  }
}

export function skillGroupName(index: number): string {
  return `sg-${String(index).padStart(3, '0')}`
}

function skillGroup(options: FleetOptions, index: number): SkillGroup {
  const strategy = strategies[index % strategies.length] ?? 'LongestIdle'
  const usable = strategy === 'Designated' || strategy === 'Webhook' ? 'LongestIdle' : strategy
  return {
    apiVersion: API_VERSION,
    kind: 'SkillGroup',
    metadata: { name: skillGroupName(index), namespace: options.namespace },
    spec: {
      strategy: usable,
      serviceLevel: index % 10 === 0 ? { targetPercent: 90, withinSeconds: 10 } : { targetPercent: 80, withinSeconds: 20 },
    },
  }
}

function macOf(index: number): string {
  const bytes = [0x00, 0x15, 0x65, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff]
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':')
}

function agent(options: FleetOptions, index: number, next: () => number): { seat: AgentSeat; phone: PhoneMAC } {
  const number = index + 1
  const home = SITES[index % SITES.length] ?? SITES[0]
  const skillCount = 1 + Math.floor(next() * 3)
  const groups = new Set<number>()
  while (groups.size < Math.min(skillCount, options.skillGroups)) groups.add(Math.floor(next() * options.skillGroups))
  const agentId = `A${String(number).padStart(6, '0')}`
  const seat: AgentSeat = {
    apiVersion: API_VERSION,
    kind: 'AgentSeat',
    metadata: { name: agentId.toLowerCase(), namespace: options.namespace },
    spec: {
      agentId,
      account: `agent${number}@travel.example`,
      homeSite: home.name,
      skills: [...groups]
        .sort((a, b) => a - b)
        .map((group) => ({
          skillGroup: skillGroupName(group),
          proficiency: 1 + Math.floor(next() * 10),
        })),
    },
  }
  const mac = macOf(number)
  const phone: PhoneMAC = {
    apiVersion: API_VERSION,
    kind: 'PhoneMAC',
    metadata: { name: `phone-${mac.replaceAll(':', '')}`, namespace: options.namespace },
    spec: {
      mac,
      pcHostName: `${home.pc}-PC-${String(number).padStart(5, '0')}`,
      extensions: SITES.map((s) => ({
        site: s.name,
        extension: `${s.extensionPrefix}${String(number).padStart(5, '0')}`,
        line: s.name === home.name ? ('A' as const) : ('B' as const),
      })),
    },
  }
  return { seat, phone }
}

export interface Fleet {
  sites: Site[]
  skillGroups: SkillGroup[]
  agentSeats: AgentSeat[]
  phoneMACs: PhoneMAC[]
}

export function buildFleet(options: FleetOptions = defaultFleetOptions): Fleet {
  if (!Number.isInteger(options.agents) || options.agents < 1 || options.agents > 99999) {
    throw new RangeError(`agents must be a whole number from 1 to 99999, got ${options.agents}`)
  }
  if (!Number.isInteger(options.skillGroups) || options.skillGroups < 1 || options.skillGroups > 999) {
    throw new RangeError(`skillGroups must be a whole number from 1 to 999, got ${options.skillGroups}`)
  }
  const next = random(20161205)
  const agents = Array.from({ length: options.agents }, (_, index) => agent(options, index, next))
  return {
    sites: SITES.map((spec) => site(options, spec)),
    skillGroups: Array.from({ length: options.skillGroups }, (_, index) => skillGroup(options, index)),
    agentSeats: agents.map((a) => a.seat),
    phoneMACs: agents.map((a) => a.phone),
  }
}
