// The catalog of bad inputs: each breaks one valid object in one way and names the message a person
// must see. The unit tests run it through the ajv validators, the e2e suite through the real apiserver.
import type { AgentSeat, CallCenterResource, PhoneMAC, Site, SkillGroup, Trunk } from '../types.ts'
import { validAgentSeat, validPhoneMAC, validSite, validSkillGroup, validTrunk } from './valid.ts'

export interface BadInput {
  name: string
  object: CallCenterResource
  /** Path of the offending field, as the apiserver names it. */
  path: string
  /** Text the error must contain. */
  message: string
}

/** A valid object changed into an invalid one on update: only the apiserver sees these (oldSelf rules). */
export interface BadUpdate {
  name: string
  before: CallCenterResource
  after: CallCenterResource
  path: string
  message: string
}

function edit<T extends CallCenterResource>(object: T, change: (o: T) => void): T {
  change(object)
  return object
}

const site = (change: (s: Site) => void) => edit(validSite(), change)
const trunk = (change: (t: Trunk) => void) => edit(validTrunk(), change)
const skillGroup = (change: (g: SkillGroup) => void) => edit(validSkillGroup(), change)
const agentSeat = (change: (a: AgentSeat) => void) => edit(validAgentSeat(), change)
const phone = (change: (p: PhoneMAC) => void) => edit(validPhoneMAC(), change)
const tooMany = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i))

export const badInputs: BadInput[] = [
  {
    name: 'malformed MAC',
    object: phone((p) => (p.spec.mac = '00:15:65:3c:00:zz')),
    path: 'spec.mac',
    message: 'mac must be six colon-separated hex pairs, e.g. 00:1a:2b:3c:4d:5e',
  },
  {
    name: 'MAC with five pairs',
    object: phone((p) => (p.spec.mac = '00:15:65:3c:00')),
    path: 'spec.mac',
    message: 'should be at least 17 chars long',
  },
  {
    name: 'broadcast MAC',
    object: phone((p) => (p.spec.mac = 'ff:ff:ff:ff:ff:ff')),
    path: 'spec.mac',
    message: "mac must be a phone's own (unicast) address: an odd first octet",
  },
  {
    name: 'multicast MAC',
    object: phone((p) => (p.spec.mac = '01:00:5e:00:00:fb')),
    path: 'spec.mac',
    message: "mac must be a phone's own (unicast) address: an odd first octet",
  },
  {
    name: 'non-digit extension',
    object: phone((p) => (p.spec.extensions[0] = { site: 'shanghai', extension: '80a1', line: 'A' })),
    path: 'spec.extensions[0].extension',
    message: 'extension must contain digits only (0-9)',
  },
  {
    name: 'both sites on one phone line',
    object: phone((p) => (p.spec.extensions[1] = { site: 'nantong', extension: '6001', line: 'A' })),
    path: 'spec.extensions',
    message: 'each site must use a different line (A or B)',
  },
  {
    name: 'PC host name starting with a dash',
    object: phone((p) => (p.spec.pcHostName = '-SH-PC-0001')),
    path: 'spec.pcHostName',
    message: "pcHostName must be a host name: letters, digits and '-', not starting or ending with '-'",
  },
  {
    name: 'two extensions at the same site',
    object: phone((p) => (p.spec.extensions[1] = { site: 'shanghai', extension: '8002', line: 'B' })),
    path: 'spec.extensions[1]',
    message: 'Duplicate value',
  },
  {
    name: 'trunk weight above 100',
    object: trunk((t) => {
      t.spec.sites[0] = { site: 'shanghai', gateway: { host: '203.0.113.10' }, weight: 150 }
    }),
    path: 'spec.sites[0].weight',
    message: 'should be less than or equal to 100',
  },
  {
    name: 'trunk weights not adding up to 100',
    object: trunk((t) => {
      t.spec.sites[1] = { site: 'nantong', gateway: { host: '203.0.113.20' }, weight: 20 }
    }),
    path: 'spec.sites',
    message: 'the weights of all sites must add up to 100 (percent)',
  },
  {
    name: 'prefix rule to a site the trunk does not reach',
    object: trunk((t) => (t.spec.routing = { prefixRules: [{ prefix: '0513', site: 'suzhou' }] })),
    path: 'spec.routing.prefixRules',
    message: 'every prefix rule must name a site listed in sites',
  },
  {
    name: 'non-digit caller prefix',
    object: trunk((t) => (t.spec.routing = { prefixRules: [{ prefix: '02x', site: 'shanghai' }] })),
    path: 'spec.routing.prefixRules[0].prefix',
    message: 'prefix must contain digits only (0-9)',
  },
  {
    name: 'gateway that is not a host',
    object: trunk((t) => {
      t.spec.sites[0] = { site: 'shanghai', gateway: { host: 'gw_1.example' }, weight: 70 }
    }),
    path: 'spec.sites[0].gateway.host',
    message: 'must be an IPv4 address, a bracketed IPv6 address or a lower-case DNS name',
  },
  {
    name: 'too many inbound numbers',
    object: trunk((t) => (t.spec.numbers = tooMany(1001, (i) => `+8621${String(10000000 + i)}`))),
    path: 'spec.numbers',
    message: 'must have at most 1000 items',
  },
  {
    name: 'reversed operator-ID range',
    object: site((s) => (s.spec.operatorIdPools = [{ name: 'general', from: 2000, to: 1000 }])),
    path: 'spec.operatorIdPools[0]',
    message: 'operator-ID pool range is reversed: from must be less than or equal to to',
  },
  {
    name: 'zero heartbeat interval',
    object: site((s) => (s.spec.heartbeat = { intervalMilliseconds: 0 })),
    path: 'spec.heartbeat.intervalMilliseconds',
    message: 'should be greater than or equal to 100',
  },
  {
    name: 'confirmation count below 1',
    object: site((s) => (s.spec.heartbeat = { confirmations: 0 })),
    path: 'spec.heartbeat.confirmations',
    message: 'should be greater than or equal to 1',
  },
  {
    name: 'probe timeout longer than the interval',
    object: site((s) => (s.spec.heartbeat = { intervalMilliseconds: 500, timeoutMilliseconds: 900 })),
    path: 'spec.heartbeat',
    message: 'heartbeat timeoutMilliseconds must not be longer than intervalMilliseconds',
  },
  {
    name: 'External edge without addresses',
    object: site((s) => (s.spec.components.edge = { mode: 'External' })),
    path: 'spec.components.edge',
    message: "edge: mode External needs 'external' with the addresses of the existing servers",
  },
  {
    name: 'Managed login with an external URL',
    object: site((s) => (s.spec.components.login = { mode: 'Managed', external: { url: 'http://10.1.1.1:8080' } })),
    path: 'spec.components.login',
    message: "login: 'external' is only allowed when mode is External",
  },
  {
    name: 'External login with an identity Secret',
    object: site(
      (s) =>
        (s.spec.components.login = {
          mode: 'External',
          external: { url: 'http://10.1.1.1:8080' },
          identitySecretRef: { name: 'callcenter-login-identity', key: 'identity.json' },
        }),
    ),
    path: 'spec.components.login',
    message: 'login: identitySecretRef is only for a Managed login service (an External one reads its own accounts)',
  },
  {
    name: 'unknown traffic mode',
    object: site((s) => (s.spec.traffic = 'Paused' as 'Active')),
    path: 'spec.traffic',
    message: 'Unsupported value: "Paused": supported values: "Active", "Drain", "Fenced"',
  },
  {
    name: 'unknown drill scenario',
    object: site((s) => (s.spec.drill = { name: 'd1', scenario: 'Meteor' as 'SiteDown', durationSeconds: 60 })),
    path: 'spec.drill.scenario',
    message: 'Unsupported value: "Meteor"',
  },
  {
    name: 'drill agent without an http URL',
    object: site((s) => (s.spec.drillAgent = { url: 'drill-agent:8095', tokenSecretRef: { name: 'shanghai-drill-agent', key: 'token' } })),
    path: 'spec.drillAgent.url',
    message: 'must be an http:// or https:// URL',
  },
  {
    name: 'site without operator-ID pools',
    object: site((s) => (s.spec.operatorIdPools = [])),
    path: 'spec.operatorIdPools',
    message: 'should have at least 1 items',
  },
  {
    name: 'unknown strategy',
    object: skillGroup((g) => (g.spec.strategy = 'Random' as 'RoundRobin')),
    path: 'spec.strategy',
    message: 'Unsupported value: "Random"',
  },
  {
    name: 'Designated strategy without agents',
    object: skillGroup((g) => (g.spec.strategy = 'Designated')),
    path: 'spec.designatedAgents',
    message: 'strategy Designated needs at least one entry in designatedAgents',
  },
  {
    name: 'Webhook strategy without a URL',
    object: skillGroup((g) => (g.spec.strategy = 'Webhook')),
    path: 'spec.webhook',
    message: 'strategy Webhook needs webhook.url',
  },
  {
    name: 'service-level target above 100 %',
    object: skillGroup((g) => (g.spec.serviceLevel = { targetPercent: 120, withinSeconds: 20 })),
    path: 'spec.serviceLevel.targetPercent',
    message: 'should be less than or equal to 100',
  },
  {
    name: 'overflow without a target',
    object: skillGroup((g) => (g.spec.overflow = { afterSeconds: 60 })),
    path: 'spec.overflow',
    message: 'overflow needs a target: skillGroup, site or both',
  },
  {
    name: 'escalation after overflow',
    object: skillGroup((g) => {
      g.spec.overflow = { afterSeconds: 60, skillGroup: 'flight' }
      g.spec.escalation = [{ afterSeconds: 90, priorityBoost: 1 }]
    }),
    path: 'spec.escalation',
    message: 'every escalation step must come before overflow.afterSeconds',
  },
  {
    name: 'overflow to the group itself',
    object: skillGroup((g) => (g.spec.overflow = { afterSeconds: 60, skillGroup: g.metadata.name })),
    path: 'spec.overflow.skillGroup',
    message: 'a SkillGroup cannot overflow to itself',
  },
  {
    name: 'escalation steps out of order',
    object: skillGroup((g) => {
      g.spec.escalation = [
        { afterSeconds: 60, addSkillGroups: ['flight'] },
        { afterSeconds: 30, priorityBoost: 2 },
      ]
    }),
    path: 'spec.escalation',
    message: 'escalation steps must be in ascending afterSeconds',
  },
  {
    name: 'account that is not a domain account',
    object: agentSeat((a) => (a.spec.account = 'zhang wei')),
    path: 'spec.account',
    message: 'account must be a domain account: user@domain or DOMAIN\\user',
  },
  {
    name: 'allowed sites without the home site',
    object: agentSeat((a) => (a.spec.allowedSites = ['nantong'])),
    path: 'spec.allowedSites',
    message: 'allowedSites must include homeSite',
  },
  {
    name: 'proficiency above 10',
    object: agentSeat((a) => (a.spec.skills = [{ skillGroup: 'hotel', proficiency: 11 }])),
    path: 'spec.skills[0].proficiency',
    message: 'should be less than or equal to 10',
  },
  {
    name: 'too many skills',
    object: agentSeat((a) => (a.spec.skills = tooMany(33, (i) => ({ skillGroup: `sg-${i}` })))),
    path: 'spec.skills',
    message: 'must have at most 32 items',
  },
  {
    name: 'home site that is not a Site name',
    object: agentSeat((a) => (a.spec.homeSite = 'Shanghai')),
    path: 'spec.homeSite',
    message: "must be the name of a Site: lower-case letters, digits and '-', starting and ending with a letter or digit",
  },
  {
    name: 'missing home site',
    object: agentSeat((a) => {
      delete (a.spec as Partial<AgentSeat['spec']>).homeSite
    }),
    path: 'spec.homeSite',
    message: 'Required value',
  },
  {
    name: 'unknown field',
    object: agentSeat((a) => Object.assign(a.spec, { homesite: 'shanghai' })),
    path: 'spec.homesite',
    message: 'unknown field "spec.homesite"',
  },
]

export const badUpdates: BadUpdate[] = [
  {
    name: 'changed MAC',
    before: validPhoneMAC(),
    after: phone((p) => (p.spec.mac = '00:15:65:3c:00:02')),
    path: 'spec.mac',
    message: 'mac is immutable: it identifies the phone; create a new PhoneMAC for another phone',
  },
  {
    name: 'changed agent ID',
    before: validAgentSeat(),
    after: agentSeat((a) => (a.spec.agentId = 'A10002')),
    path: 'spec.agentId',
    message: 'agentId is immutable: call records, statistics and leases refer to it; create a new AgentSeat instead',
  },
]
