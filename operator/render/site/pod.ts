// Pieces every pod template shares: the restricted security context, resources, environment, probes,
// placement of the telephony pods and scratch volumes for a read-only root filesystem.
import type {
  Affinity,
  Container,
  EnvVar,
  PodSecurityContext,
  Probe,
  ResourceRequirements,
  SecurityContext,
  Volume,
  VolumeMount,
} from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { EnvContract, SettingsTable, ValuesOf } from '../../../workloads/lib/env-contract.ts'
import type { SecretKeyRef } from './context.ts'

/** The non-root user every container runs as; images must not need a particular user. */
export const RUN_AS_USER = 10001

// Builders rather than shared constants: no two rendered objects share a nested object, so a caller may
// change one without changing the others.
export const podSecurityContext = (): PodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: RUN_AS_USER,
  runAsGroup: RUN_AS_USER,
  fsGroup: RUN_AS_USER,
  seccompProfile: { type: 'RuntimeDefault' },
})

export const containerSecurityContext = (): SecurityContext => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
})

export interface ResourceAmounts {
  cpu?: string
  memory?: string
}

export interface ResourceSpec extends ResourceAmounts {
  requests?: ResourceAmounts
}

/**
 * spec.resources' cpu and memory are "limit, and request too": equal requests and limits give telephony
 * pods Guaranteed QoS. requests, when given, lowers only what the scheduler reserves.
 */
export function resources(spec: ResourceSpec | undefined, defaults: Required<ResourceAmounts>): ResourceRequirements {
  const limits = { cpu: spec?.cpu ?? defaults.cpu, memory: spec?.memory ?? defaults.memory }
  const requests = { cpu: spec?.requests?.cpu ?? limits.cpu, memory: spec?.requests?.memory ?? limits.memory }
  return { limits, requests }
}

export const envFromSecret = (name: string, ref: SecretKeyRef): EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
})

export const envFromField = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } })

/** An environment value the kubelet fills in: from a Secret or from the pod's own fields. */
export interface EnvSource {
  valueFrom: NonNullable<EnvVar['valueFrom']>
}

export const fromSecret = (ref: SecretKeyRef): EnvSource => ({ valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } })

export const fromField = (fieldPath: string): EnvSource => ({ valueFrom: { fieldRef: { fieldPath } } })

const isEnvSource = (value: unknown): value is EnvSource => typeof value === 'object' && value !== null && 'valueFrom' in value

/**
 * A workload's env, built with the program's own configuration contract (workloads/<service>/contract.ts):
 * only the variables it reads, each encoded as it parses them, every required one present (the type
 * says so), sorted by name.
 */
export function contractEnv<S extends SettingsTable>(contract: EnvContract<S>, values: ValuesOf<S, EnvSource>): EnvVar[] {
  return sortedEnv(
    contract.build(values, isEnvSource, (name, text, source): EnvVar =>
      source ? { name, valueFrom: structuredClone(source.valueFrom) } : { name, value: text ?? '' },
    ),
  )
}

/** `host:port`, an IPv6 address in brackets. */
export const hostPort = (address: { host: string; port: number }): string =>
  `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`

/** The address of a Redis, without its password (which the programs get apart, from its Secret). */
export const redisUrl = (redis: { host: string; port: number }): string => `redis://${hostPort(redis)}`

export function sortedEnv(env: EnvVar[]): EnvVar[] {
  return [...env].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function httpProbes(port: string): Pick<Container, 'readinessProbe' | 'livenessProbe'> {
  const probe = (path: string, extra: Probe): Probe => ({ httpGet: { path, port }, timeoutSeconds: 2, ...extra })
  return {
    readinessProbe: probe('/readyz', { periodSeconds: 5, failureThreshold: 2 }),
    livenessProbe: probe('/healthz', { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 }),
  }
}

/** A writable scratch directory on a read-only root filesystem. */
export function scratchVolume(name: string): Volume {
  return { name, emptyDir: {} }
}

export const mount = (name: string, mountPath: string, readOnly = false): VolumeMount =>
  readOnly ? { name, mountPath, readOnly } : { name, mountPath }

export function usesHostNetwork(site: Site): boolean {
  return site.spec.placement?.hostNetwork ?? true
}

function sortedMap(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

// SIP and RTP bind fixed ports on the node when host networking is on: at most one soft switch or edge
// (of any site) per node, or the second one could not bind 5060.
const oneSipPodPerNode = (): Affinity => ({
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      {
        labelSelector: {
          matchExpressions: [
            { key: 'app.kubernetes.io/part-of', operator: 'In', values: ['callcenter'] },
            { key: 'app.kubernetes.io/component', operator: 'In', values: ['edge', 'softswitch'] },
          ],
        },
        topologyKey: 'kubernetes.io/hostname',
      },
    ],
  },
})

/** Pod-spec fields placing a soft switch or edge: node pool, host networking and the DNS that goes with it. */
export function telephonyPlacement(site: Site): {
  hostNetwork: boolean
  dnsPolicy: string
  nodeSelector?: Record<string, string>
  affinity?: Affinity
} {
  const hostNetwork = usesHostNetwork(site)
  const nodeSelector = site.spec.placement?.nodeSelector
  return {
    hostNetwork,
    dnsPolicy: hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    ...(nodeSelector && Object.keys(nodeSelector).length > 0 ? { nodeSelector: sortedMap(nodeSelector) } : {}),
    ...(hostNetwork ? { affinity: oneSipPodPerNode() } : {}),
  }
}
