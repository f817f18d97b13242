// Every object a Site needs, for each of its Managed components, in a fixed order: components as in the
// spec (then Redis), and within one: ConfigMap, Service, workload, PodDisruptionBudget, NetworkPolicy.
import type { Site } from '../../../crds/types.ts'
import { renderAcd } from './acd.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import { renderCti } from './cti.ts'
import { renderEdge } from './edge.ts'
import { siteEndpoints, type SiteEndpoints } from './endpoints.ts'
import { renderLogin } from './login.ts'
import { renderRedis } from './redis.ts'
import { renderSoftswitch } from './softswitch.ts'

type ComponentRenderer = (site: Site, context: SiteRenderContext, endpoints: SiteEndpoints) => KubernetesObject[]

export function renderSite(site: Site, context: SiteRenderContext): KubernetesObject[] {
  const { components, redis } = site.spec
  const endpoints = siteEndpoints(site, context)
  const managed: [boolean, ComponentRenderer][] = [
    [components.softswitch.mode === 'Managed', renderSoftswitch],
    [components.edge.mode === 'Managed', renderEdge],
    [components.acd.mode === 'Managed', renderAcd],
    [components.login.mode === 'Managed', renderLogin],
    [components.cti.mode === 'Managed', renderCti],
    [redis.mode === 'Managed', renderRedis],
  ]
  return managed.flatMap(([isManaged, render]) => (isManaged ? render(site, context, endpoints) : []))
}
