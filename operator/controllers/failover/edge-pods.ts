// Pure: the pods of a Managed edge, from the EndpointSlices of its edge agent's Service. Each pod's
// Kamailio has routing state of its own, so a flip, a restore and a probe go to every pod, not to one
// pod behind the Service.
//
// The EndpointSlice controller copies a Service's labels onto its slices, so the operator caches only
// the slices of its own edge Services (EDGE_SLICE_SELECTOR) and finds them by `kubernetes.io/service-name`.
import type { KubeObject, ResourceType } from '../../runtime/resource.ts'
import { PORTS } from '../../render/site/index.ts'

export const endpointSliceType = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
} as const satisfies ResourceType

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
export const EDGE_SLICE_SELECTOR = 'app.kubernetes.io/managed-by=callcenter-operator,app.kubernetes.io/component=edge'
/** The store index of slices by `<namespace>/<service name>`. */
export const SLICES_BY_SERVICE = 'service'

export interface EndpointSlice extends KubeObject {
  addressType?: string
  endpoints?: {
    addresses?: string[]
    conditions?: { ready?: boolean | null }
    targetRef?: { kind?: string; name?: string } | null
  }[]
  ports?: { name?: string; port?: number }[] | null
}

/** One pod of a Managed edge: its name and its edge agent's base URL. */
export interface EdgePod {
  name: string
  url: string
}

export function sliceService(slice: KubeObject): string[] {
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL]
  return service ? [`${slice.metadata.namespace ?? ''}/${service}`] : []
}

/**
 * The ready pods behind a Service's slices, in name order; a pod listed twice (a dual-stack Service has
 * a slice per address family) once. A missing ready condition counts as ready, as the API says.
 */
export function edgePods(slices: readonly EndpointSlice[]): EdgePod[] {
  const pods = new Map<string, EdgePod>()
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue
    const port = slice.ports?.find((p) => p.name === 'http')?.port ?? PORTS.edgeAgent
    for (const endpoint of slice.endpoints ?? []) {
      const address = endpoint.addresses?.[0]
      if (!address || endpoint.conditions?.ready === false) continue
      const name = endpoint.targetRef?.name ?? address
      if (pods.has(name)) continue
      const host = address.includes(':') ? `[${address}]` : address
      pods.set(name, { name, url: `http://${host}:${port}` })
    }
  }
  return [...pods.values()].sort((a, b) => a.name.localeCompare(b.name))
}
