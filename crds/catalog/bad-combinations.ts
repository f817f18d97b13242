// The catalog of bad combinations: objects the apiserver accepts one by one that are wrong only
// together. The operator reports each on the objects involved as Ready=False with a reason, plus a
// Warning Event. The unit tests run them through the pure checks, the e2e suite through the operator.
import type { CallCenterResource, SkillGroup } from '../types.ts'
import { validSkillGroup } from './valid.ts'

export interface Report {
  kind: string
  name: string
  /** The reason of its Ready=False condition and of the Warning Event. */
  reason: string
  /** Text the condition's message must contain. */
  message: string
}

export interface BadCombination {
  name: string
  objects: CallCenterResource[]
  /** Every object that must be reported; the others must stay Ready. */
  reports: Report[]
}

function overflowing(name: string, to: string): SkillGroup {
  const group = validSkillGroup(name)
  group.spec.overflow = { afterSeconds: 60, skillGroup: to }
  return group
}

const overflowCycle = (name: string, cycle: string) => ({
  kind: 'SkillGroup',
  name,
  reason: 'OverflowCycle',
  message: `overflow.skillGroup forms a cycle: ${cycle}`,
})

export const badCombinations: BadCombination[] = [
  {
    name: 'overflow cycle across three SkillGroups, and a group that overflows into it',
    objects: [
      overflowing('hotel', 'flight'),
      overflowing('flight', 'vacation'),
      overflowing('vacation', 'hotel'),
      overflowing('vip', 'hotel'),
    ],
    reports: [
      overflowCycle('hotel', 'hotel -> flight -> vacation -> hotel'),
      overflowCycle('flight', 'flight -> vacation -> hotel -> flight'),
      overflowCycle('vacation', 'vacation -> hotel -> flight -> vacation'),
    ],
  },
  {
    name: 'two SkillGroups that overflow to each other',
    objects: [overflowing('day', 'night'), overflowing('night', 'day')],
    reports: [overflowCycle('day', 'day -> night -> day'), overflowCycle('night', 'night -> day -> night')],
  },
]
