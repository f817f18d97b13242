// The resource types the operator watches, and the indexes its controllers look objects up by.
// Index values carry the namespace: references only ever resolve within one namespace.
import type { AgentSeat, PhoneMAC, Site, SkillGroup, Trunk } from '../../crds/types.ts'
import type { KubeObject, ResourceType } from '../runtime/resource.ts'

const callcenter = (kind: string, plural: string): ResourceType => ({
  group: 'callcenter.dev',
  version: 'v1alpha1',
  kind,
  plural,
  namespaced: true,
})

export const types = {
  site: callcenter('Site', 'sites'),
  trunk: callcenter('Trunk', 'trunks'),
  skillGroup: callcenter('SkillGroup', 'skillgroups'),
  agentSeat: callcenter('AgentSeat', 'agentseats'),
  phoneMAC: callcenter('PhoneMAC', 'phonemacs'),
}

export type Cached<T> = T & KubeObject

const ns = (object: KubeObject) => object.metadata.namespace ?? ''
export const scoped = (object: KubeObject, value: string) => `${ns(object)}/${value}`

export const indexes = {
  seatsBySite: (seat: Cached<AgentSeat>) =>
    [...new Set([seat.spec.homeSite, ...(seat.spec.allowedSites ?? [])])].map((s) => scoped(seat, s)),
  seatsByHomeSite: (seat: Cached<AgentSeat>) => [scoped(seat, seat.spec.homeSite)],
  seatsBySkillGroup: (seat: Cached<AgentSeat>) => seat.spec.skills.map((s) => scoped(seat, s.skillGroup)),
  seatsByAccount: (seat: Cached<AgentSeat>) => [scoped(seat, seat.spec.account.toLowerCase())],
  seatsByAgentId: (seat: Cached<AgentSeat>) => [scoped(seat, seat.spec.agentId)],
  phonesBySite: (phone: Cached<PhoneMAC>) => phone.spec.extensions.map((e) => scoped(phone, e.site)),
  phonesByExtension: (phone: Cached<PhoneMAC>) => phone.spec.extensions.map((e) => scoped(phone, `${e.site}/${e.extension}`)),
  phonesByMac: (phone: Cached<PhoneMAC>) => [scoped(phone, phone.spec.mac.toLowerCase())],
  phonesByPc: (phone: Cached<PhoneMAC>) => [scoped(phone, phone.spec.pcHostName.toLowerCase())],
  trunksBySite: (trunk: Cached<Trunk>) => trunk.spec.sites.map((s) => scoped(trunk, s.site)),
  groupsByReferencedSite: (group: Cached<SkillGroup>) =>
    [group.spec.overflow?.site, group.spec.pinnedSite].filter((s): s is string => !!s).map((s) => scoped(group, s)),
  groupsByReferencedGroup: (group: Cached<SkillGroup>) =>
    [group.spec.overflow?.skillGroup, ...(group.spec.escalation ?? []).flatMap((e) => e.addSkillGroups ?? [])]
      .filter((g): g is string => !!g)
      .map((g) => scoped(group, g)),
  sitesByPoolSkillGroup: (site: Cached<Site>) => site.spec.operatorIdPools.flatMap((p) => p.skillGroups ?? []).map((g) => scoped(site, g)),
}
