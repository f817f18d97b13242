// Builders for the object kinds every component uses, so each component file states only what is its own.
import type { DeploymentSpec, NetworkPolicyIngressRule, PodDisruptionBudgetSpec, ServiceSpec, StatefulSetSpec } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import { componentMetadata, selectorLabels, type ComponentName } from './names.ts'

export function configMap(
  site: Site,
  context: SiteRenderContext,
  component: ComponentName,
  data: Record<string, string>,
): KubernetesObject {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: componentMetadata(site, context, component), data: sorted }
}

export function service(site: Site, context: SiteRenderContext, component: ComponentName, spec: ServiceSpec): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: componentMetadata(site, context, component),
    spec: { ...spec, selector: selectorLabels(site.metadata.name, component) },
  }
}

/** A drill that stops the component scales it to zero; the spec's replicas come back when the drill restores it. */
function drillScaled<S extends { replicas?: number }>(context: SiteRenderContext, component: ComponentName, spec: S): S {
  return context.stoppedByDrill?.includes(component) ? { ...spec, replicas: 0 } : spec
}

export function statefulSet(site: Site, context: SiteRenderContext, component: ComponentName, spec: StatefulSetSpec): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: componentMetadata(site, context, component),
    spec: drillScaled(context, component, spec),
  }
}

export function deployment(site: Site, context: SiteRenderContext, component: ComponentName, spec: DeploymentSpec): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: componentMetadata(site, context, component),
    spec: drillScaled(context, component, spec),
  }
}

/** Voluntary disruptions (node drains, upgrades) take at most one pod of a component at a time. */
export function podDisruptionBudget(site: Site, context: SiteRenderContext, component: ComponentName): KubernetesObject {
  const spec: PodDisruptionBudgetSpec = { maxUnavailable: 1, selector: { matchLabels: selectorLabels(site.metadata.name, component) } }
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: componentMetadata(site, context, component), spec }
}

/** Ingress to the component's pods is denied except by these rules; egress is not restricted. */
export function networkPolicy(
  site: Site,
  context: SiteRenderContext,
  component: ComponentName,
  ingress: NetworkPolicyIngressRule[],
): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: componentMetadata(site, context, component),
    spec: { podSelector: { matchLabels: selectorLabels(site.metadata.name, component) }, policyTypes: ['Ingress'], ingress },
  }
}
