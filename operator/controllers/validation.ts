// The controllers that judge Trunks, SkillGroups, AgentSeats and PhoneMACs against each other and the
// Sites, and the mapping that re-judges an object when something it refers to appears or goes (or, for
// overflow cycles, when a group on its overflow chain changes).
import type { AgentSeat, PhoneMAC, Site, SkillGroup, Trunk } from '../../crds/types.ts'
import { overflowChain, overflowCycleProblems } from '../checks/overflow-cycles.ts'
import { agentSeatProblems, phoneProblems, skillGroupProblems, trunkProblems, type Known } from '../checks/references.ts'
import type { Problem } from '../checks/problem.ts'
import type { Controller, Watch } from '../runtime/controller.ts'
import type { Informer } from '../runtime/informer.ts'
import { objectKey, type KubeObject } from '../runtime/resource.ts'
import { indexes, scoped, types, type Cached } from './kinds.ts'
import { readinessController, type ReadinessControllerOptions } from './readiness.ts'

export interface Informers {
  sites: Informer<Cached<Site>>
  trunks: Informer<Cached<Trunk>>
  skillGroups: Informer<Cached<SkillGroup>>
  agentSeats: Informer<Cached<AgentSeat>>
  phoneMACs: Informer<Cached<PhoneMAC>>
}

export function addIndexes(informers: Informers): void {
  informers.agentSeats.store.addIndex('site', indexes.seatsBySite)
  informers.agentSeats.store.addIndex('homeSite', indexes.seatsByHomeSite)
  informers.agentSeats.store.addIndex('skillGroup', indexes.seatsBySkillGroup)
  informers.agentSeats.store.addIndex('account', indexes.seatsByAccount)
  informers.agentSeats.store.addIndex('agentId', indexes.seatsByAgentId)
  informers.phoneMACs.store.addIndex('site', indexes.phonesBySite)
  informers.phoneMACs.store.addIndex('extension', indexes.phonesByExtension)
  informers.phoneMACs.store.addIndex('mac', indexes.phonesByMac)
  informers.phoneMACs.store.addIndex('pc', indexes.phonesByPc)
  informers.trunks.store.addIndex('site', indexes.trunksBySite)
  informers.skillGroups.store.addIndex('site', indexes.groupsByReferencedSite)
  informers.skillGroups.store.addIndex('skillGroup', indexes.groupsByReferencedGroup)
  informers.sites.store.addIndex('poolSkillGroup', indexes.sitesByPoolSkillGroup)
}

export function knownIn(informers: Informers, namespace: string | undefined): Known {
  const ns = namespace ?? ''
  return {
    sites: { has: (name) => informers.sites.store.get(`${ns}/${name}`) !== undefined },
    skillGroups: { has: (name) => informers.skillGroups.store.get(`${ns}/${name}`) !== undefined },
  }
}

/** Keys of the objects in an index bucket named after the changed object (e.g. seats homed at a Site). */
function referrers<T extends KubeObject>(informer: Informer<T>, index: string): (object: KubeObject) => string[] {
  return (object) => informer.store.byIndex(index, scoped(object, object.metadata.name)).map(objectKey)
}

/** Keys of the objects that share any index value with this one, itself included (duplicate claims). */
function claimants<T extends KubeObject>(informer: Informer<T>, index: string, values: (object: T) => string[]): (object: T) => string[] {
  return (object) => [
    ...new Set([objectKey(object), ...values(object).flatMap((value) => informer.store.byIndex(index, value).map(objectKey))]),
  ]
}

/** Looks up the SkillGroups in a group's namespace by name. */
function groupsBeside(informer: Informer<Cached<SkillGroup>>, group: KubeObject) {
  return (name: string) => informer.store.get(scoped(group, name))
}

type Shared = Omit<ReadinessControllerOptions<never>, 'name' | 'type' | 'informer' | 'check' | 'watches'>

export function validationControllers(
  informers: Informers,
  shared: Shared,
  checkSkillGroupRules: (group: SkillGroup) => Problem[],
): Controller<KubeObject>[] {
  const { sites, trunks, skillGroups, agentSeats, phoneMACs } = informers
  const watch = <T extends KubeObject>(informer: Informer<T>, map: (object: T) => string[]) =>
    ({ informer, map }) as unknown as Watch<KubeObject>
  const controllers = [
    readinessController({
      ...shared,
      name: 'trunk',
      type: types.trunk,
      informer: trunks,
      check: (trunk) => trunkProblems(trunk, knownIn(informers, trunk.metadata.namespace)),
      watches: [watch(sites, referrers(trunks, 'site'))],
    }),
    readinessController({
      ...shared,
      name: 'skillgroup',
      type: types.skillGroup,
      informer: skillGroups,
      check: (group) => [
        ...skillGroupProblems(group, knownIn(informers, group.metadata.namespace)),
        ...overflowCycleProblems(group, groupsBeside(skillGroups, group)),
        ...checkSkillGroupRules(group),
      ],
      watches: [
        watch(sites, referrers(skillGroups, 'site')),
        watch(skillGroups, referrers(skillGroups, 'skillGroup')),
        // A group's overflow changed: the groups on its chain, before and after, may have entered or left a cycle.
        watch(skillGroups, (group) => overflowChain(group, groupsBeside(skillGroups, group)).groups.map((name) => scoped(group, name))),
      ],
    }),
    readinessController({
      ...shared,
      name: 'agentseat',
      type: types.agentSeat,
      informer: agentSeats,
      check: (seat) =>
        agentSeatProblems(
          seat,
          knownIn(informers, seat.metadata.namespace),
          agentSeats.store.byIndex('account', indexes.seatsByAccount(seat)[0] ?? ''),
          agentSeats.store.byIndex('agentId', indexes.seatsByAgentId(seat)[0] ?? ''),
        ),
      watches: [
        watch(sites, referrers(agentSeats, 'site')),
        watch(skillGroups, referrers(agentSeats, 'skillGroup')),
        watch(agentSeats, claimants(agentSeats, 'account', indexes.seatsByAccount)),
        watch(agentSeats, claimants(agentSeats, 'agentId', indexes.seatsByAgentId)),
      ],
    }),
    readinessController({
      ...shared,
      name: 'phonemac',
      type: types.phoneMAC,
      informer: phoneMACs,
      check: (phone) =>
        phoneProblems(phone, knownIn(informers, phone.metadata.namespace), {
          extension: (site, extension) => phoneMACs.store.byIndex('extension', scoped(phone, `${site}/${extension}`)),
          mac: (mac) => phoneMACs.store.byIndex('mac', scoped(phone, mac.toLowerCase())),
          pc: (pc) => phoneMACs.store.byIndex('pc', scoped(phone, pc.toLowerCase())),
        }),
      watches: [
        watch(sites, referrers(phoneMACs, 'site')),
        watch(phoneMACs, claimants(phoneMACs, 'extension', indexes.phonesByExtension)),
        watch(phoneMACs, claimants(phoneMACs, 'mac', indexes.phonesByMac)),
        watch(phoneMACs, claimants(phoneMACs, 'pc', indexes.phonesByPc)),
      ],
    }),
  ]
  return controllers as unknown as Controller<KubeObject>[]
}
