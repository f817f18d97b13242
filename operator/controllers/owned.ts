// The kinds of object the operator creates for a Site, each cached by an informer limited to objects
// the operator manages, and found by the Site they belong to.
import type { Informer } from '../runtime/informer.ts'
import { coreTypes, type KubeObject, type ResourceType } from '../runtime/resource.ts'

export const MANAGED_BY_SELECTOR = 'app.kubernetes.io/managed-by=callcenter-operator'
export const SITE_LABEL = 'callcenter.dev/site'

export const ownedTypes: readonly ResourceType[] = [
  coreTypes.secret,
  coreTypes.configMap,
  coreTypes.service,
  coreTypes.statefulSet,
  coreTypes.deployment,
  coreTypes.podDisruptionBudget,
  coreTypes.networkPolicy,
]

export type OwnedInformers = Map<string, Informer<KubeObject>>

/** The owned objects of a Site, across every owned kind. */
export function ownedBy(informers: OwnedInformers, namespace: string, site: string): { type: ResourceType; object: KubeObject }[] {
  return [...informers.values()].flatMap((informer) =>
    informer.store.byIndex('site', `${namespace}/${site}`).map((object) => ({ type: informer.type, object })),
  )
}

export function siteOfOwned(object: KubeObject): string[] {
  const site = object.metadata.labels?.[SITE_LABEL]
  return site ? [`${object.metadata.namespace ?? ''}/${site}`] : []
}
