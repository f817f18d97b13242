// The shape acd, login and cti share: a Deployment of a small HTTP service on Redis, a Service, a
// PodDisruptionBudget and a NetworkPolicy. Each component file adds its own environment, ports and
// who may call it.
import type { ContainerPort, EnvVar, NetworkPolicyIngressRule, ServicePort } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { componentLabels, selectorLabels } from './names.ts'
import { deployment, networkPolicy, podDisruptionBudget, service } from './objects.ts'
import {
  containerSecurityContext,
  podSecurityContext,
  envValue,
  httpProbes,
  mount,
  redisEnv,
  resources,
  scratchVolume,
  sortedEnv,
} from './pod.ts'
import { PORTS } from './ports.ts'

export interface HttpWorkload {
  component: 'acd' | 'login' | 'cti'
  image: string
  env: EnvVar[]
  /** TCP ports besides `http`, by name. */
  extraPorts: Record<string, number>
  /** It serves Prometheus /metrics on `http`: its pods say so to annotation-based scrapers. */
  servesMetrics: boolean
  ingress: NetworkPolicyIngressRule[]
}

/** The pod annotations Prometheus' kubernetes_sd annotation-based scrape configs (and many charts) look for. */
export const prometheusScrapeAnnotations = (): Record<string, string> => ({
  'prometheus.io/path': '/metrics',
  'prometheus.io/port': String(PORTS.http),
  'prometheus.io/scrape': 'true',
})

export function renderHttpWorkload(
  site: Site,
  context: SiteRenderContext,
  endpoints: SiteEndpoints,
  workload: HttpWorkload,
): KubernetesObject[] {
  const name = site.metadata.name
  const { component } = workload
  const managed = site.spec.components[component].managed
  const named = Object.entries({ http: PORTS.http, ...workload.extraPorts })
  const ports: ContainerPort[] = named.map(([portName, port]) => ({ name: portName, containerPort: port, protocol: 'TCP' }))
  const servicePorts: ServicePort[] = named.map(([portName, port]) => ({ name: portName, port, targetPort: portName, protocol: 'TCP' }))
  return [
    service(site, context, component, { ports: servicePorts }),
    deployment(site, context, component, {
      replicas: managed?.replicas ?? 2,
      selector: { matchLabels: selectorLabels(name, component) },
      template: {
        metadata: {
          labels: componentLabels(name, component),
          ...(workload.servesMetrics ? { annotations: prometheusScrapeAnnotations() } : {}),
        },
        spec: {
          securityContext: podSecurityContext(),
          containers: [
            {
              name: component,
              image: managed?.image ?? workload.image,
              // One workloads image runs every service; the command picks which.
              command: ['node', `workloads/${component}/main.ts`],
              env: sortedEnv([envValue('SITE', name), envValue('PORT', PORTS.http), ...redisEnv(endpoints.redis), ...workload.env]),
              ports,
              resources: resources(managed?.resources, { cpu: '500m', memory: '512Mi' }),
              ...httpProbes('http'),
              securityContext: containerSecurityContext(),
              volumeMounts: [mount('tmp', '/tmp')],
            },
          ],
          volumes: [scratchVolume('tmp')],
        },
      },
    }),
    podDisruptionBudget(site, context, component),
    networkPolicy(site, context, component, workload.ingress),
  ]
}
