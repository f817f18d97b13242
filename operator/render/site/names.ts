// Names, labels and owner references shared by every object of a Site.
import { createHash } from 'node:crypto'
import type { OwnerReference } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { ObjectMetadata, SiteRenderContext } from './context.ts'

export type ComponentName = 'softswitch' | 'edge' | 'acd' | 'login' | 'cti' | 'redis'

// A StatefulSet's pods carry a controller-revision-hash label of `<name>-<10 characters>`, and label values
// are limited to 63 characters: so names stay within 52 for every kind alike.
const MAX_NAME_LENGTH = 52

/** `<site>-<component>`, shortened with a hash of the site name when it would be too long. */
export function resourceName(site: string, component: ComponentName): string {
  const name = `${site}-${component}`
  if (name.length <= MAX_NAME_LENGTH) return name
  const hash = createHash('sha256').update(site).digest('hex').slice(0, 8)
  const room = MAX_NAME_LENGTH - component.length - hash.length - 2
  return `${site.slice(0, room).replace(/-+$/, '')}-${hash}-${component}`
}

/** Labels that select a component's pods (stable: a selector cannot change). */
export function selectorLabels(site: string, component: ComponentName): Record<string, string> {
  return { 'app.kubernetes.io/instance': site, 'app.kubernetes.io/name': component }
}

export function componentLabels(site: string, component: ComponentName): Record<string, string> {
  return {
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/instance': site,
    'app.kubernetes.io/managed-by': 'callcenter-operator',
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/part-of': 'callcenter',
    'callcenter.dev/site': site,
  }
}

export const SITE_LABEL = 'callcenter.dev/site'
export const CONFIG_HASH_ANNOTATION = 'callcenter.dev/config-hash'

export function siteOwnerReference(site: Site, context: SiteRenderContext): OwnerReference {
  return {
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'Site',
    name: site.metadata.name,
    uid: context.siteUid,
    controller: true,
    blockOwnerDeletion: true,
  }
}

export function componentMetadata(site: Site, context: SiteRenderContext, component: ComponentName): ObjectMetadata {
  return {
    name: resourceName(site.metadata.name, component),
    namespace: context.namespace,
    labels: componentLabels(site.metadata.name, component),
    ownerReferences: [siteOwnerReference(site, context)],
  }
}

/** Service address inside the cluster, fully qualified. */
export function serviceHost(site: string, component: ComponentName, context: SiteRenderContext): string {
  return `${resourceName(site, component)}.${context.namespace}.svc.${context.clusterDomain}`
}
