// TypeScript types of the API, inferred from the same schemas the CRDs are generated from.
import type { Static } from 'typebox'
import type { AgentSeatSpec, AgentSeatStatus } from './schema/agentseat.ts'
import type { PhoneMACSpec, PhoneMACStatus } from './schema/phonemac.ts'
import type { SiteSpec, SiteStatus } from './schema/site.ts'
import type { SkillGroupSpec, SkillGroupStatus } from './schema/skillgroup.ts'
import type { TrunkSpec, TrunkStatus } from './schema/trunk.ts'

export interface ObjectMeta {
  name: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  ownerReferences?: OwnerReference[]
}

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

interface Resource<K extends string, Spec, Status> {
  apiVersion: 'callcenter.dev/v1alpha1'
  kind: K
  metadata: ObjectMeta
  spec: Spec
  status?: Status
}

export type Site = Resource<'Site', Static<typeof SiteSpec>, Static<typeof SiteStatus>>
export type Trunk = Resource<'Trunk', Static<typeof TrunkSpec>, Static<typeof TrunkStatus>>
export type SkillGroup = Resource<'SkillGroup', Static<typeof SkillGroupSpec>, Static<typeof SkillGroupStatus>>
export type AgentSeat = Resource<'AgentSeat', Static<typeof AgentSeatSpec>, Static<typeof AgentSeatStatus>>
export type PhoneMAC = Resource<'PhoneMAC', Static<typeof PhoneMACSpec>, Static<typeof PhoneMACStatus>>
export type CallCenterResource = Site | Trunk | SkillGroup | AgentSeat | PhoneMAC
