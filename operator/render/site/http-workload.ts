// The shape acd, login and cti share: a Deployment of a small HTTP service on Redis, a Service, a
// PodDisruptionBudget and a NetworkPolicy. Each component file gives its whole environment (built with
// the program's own contract, workloads/<component>/contract.ts), its ports, files and who may call it.
// Every one serves /healthz and /readyz on `http`, which the probes ask.
import type { ContainerPort, EnvVar, NetworkPolicyIngressRule, ServicePort, Volume, VolumeMount } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import { componentLabels, selectorLabels } from './names.ts'
import { deployment, networkPolicy, podDisruptionBudget, service } from './objects.ts'
import { containerSecurityContext, podSecurityContext, httpProbes, mount, resources, scratchVolume } from './pod.ts'
import { PORTS } from './ports.ts'

export interface HttpWorkload {
  component: 'acd' | 'login' | 'cti'
  image: string
  /** The container's whole environment (pod.ts contractEnv). */
  env: EnvVar[]
  /** Volumes besides the scratch /tmp, and where the container mounts them. */
  volumes?: { volume: Volume; mount: VolumeMount }[]
  /** TCP ports besides `http`, by name. */
  extraPorts: Record<string, number>
  /** It serves Prometheus /metrics on `http`: its pods say so to annotation-based scrapers. */
  servesMetrics: boolean
  ingress: NetworkPolicyIngressRule[]
}

/** The pod annotations Prometheus' kubernetes_sd annotation-based scrape configs (and many charts) look for. */
export const prometheusScrapeAnnotations = (port: number = PORTS.http): Record<string, string> => ({
  'prometheus.io/path': '/metrics',
  'prometheus.io/port': String(port),
  'prometheus.io/scrape': 'true',
})

export function renderHttpWorkload(site: Site, context: SiteRenderContext, workload: HttpWorkload): KubernetesObject[] {
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
              env: workload.env,
              ports,
              resources: resources(managed?.resources, { cpu: '500m', memory: '512Mi' }),
              ...httpProbes('http'),
              securityContext: containerSecurityContext(),
              volumeMounts: [mount('tmp', '/tmp'), ...(workload.volumes ?? []).map((extra) => extra.mount)],
            },
          ],
          volumes: [scratchVolume('tmp'), ...(workload.volumes ?? []).map((extra) => extra.volume)],
        },
      },
    }),
    podDisruptionBudget(site, context, component),
    networkPolicy(site, context, component, workload.ingress),
  ]
}
