// Pure: what the failover controller probes and controls at a Site. External components at the
// addresses the Site gives; Managed ones at their in-cluster Services. A Managed edge runs with host
// networking and its Service carries only the edge agent's HTTP API, so it is probed and controlled
// through the agent: at every pod's agent when its pods are known (edge-pods.ts), since each pod's
// Kamailio routes on its own; at the Service otherwise. It is probed at the agent's /readyz, which
// asks its Kamailio over JSON-RPC (the agent's /healthz answers whether Kamailio runs or not).
import type { Site } from '../../../crds/types.ts'
import { PORTS, resourceName } from '../../render/site/index.ts'
import type { EdgePod } from './edge-pods.ts'
import { eslPasswordSecretRef, softswitchAddresses } from '../site-objects.ts'
import type { SecretKeyRef } from '../../runtime/secret-value.ts'

/** External servers' Event Socket where they give eslPort; Managed pods' on the port the renderer gives FreeSWITCH. */
function softswitchTargets(site: Site, clusterDomain: string): SoftswitchTarget[] {
  const { softswitch } = site.spec.components
  const servers = softswitch.external?.servers ?? []
  return (softswitchAddresses([site], clusterDomain)[site.metadata.name] ?? []).map((address, index) => {
    const eslPort = softswitch.mode === 'External' ? servers[index]?.eslPort : PORTS.esl
    return eslPort === undefined ? address : { ...address, esl: { host: address.host, port: eslPort } }
  })
}

export interface SipTarget {
  name: string
  host: string
  port: number
}

/** How an edge's routing is changed: Kamailio's JSON-RPC directly, or the edge agent's HTTP API (Managed). */
export type EdgeControl = { kind: 'rpc'; url: string } | { kind: 'agent'; url: string }

export interface EdgeTarget {
  name: string
  /** SIP OPTIONS here (External); a Managed edge is probed at its agent's /readyz (control.url) instead. */
  sip?: SipTarget
  control: EdgeControl
}

/** A soft switch: SIP, and its Event Socket where the site's config tells its port. */
export interface SoftswitchTarget extends SipTarget {
  esl?: { host: string; port: number }
}

export interface SiteTargets {
  site: string
  edges: EdgeTarget[]
  softswitches: SoftswitchTarget[]
  /** The Secret key holding the soft switches' Event Socket password (Site eslPasswordSecretRef, or the generated one). */
  eslPassword: { namespace: string; secret: SecretKeyRef }
  loginUrl: string
  acdUrl: string
}

/** The ready pods behind a Managed edge agent's Service, by namespace and Service name (edge-pods.ts). */
export type EdgePodLookup = (namespace: string, service: string) => readonly EdgePod[]

/** `edgePods`: where a Managed edge's pods are known; none known (or no lookup) means the Service. */
export function siteTargets(site: Site, clusterDomain: string, edgePods?: EdgePodLookup): SiteTargets {
  const name = site.metadata.name
  const pods = edgePods?.(site.metadata.namespace ?? 'default', resourceName(name, 'edge')) ?? []
  const service = (component: 'edge' | 'login' | 'acd', port: number) =>
    `http://${resourceName(name, component)}.${site.metadata.namespace ?? 'default'}.svc.${clusterDomain}:${port}`
  const { edge, login, acd } = site.spec.components
  const edges: EdgeTarget[] =
    edge.mode === 'External'
      ? (edge.external?.servers ?? []).map((server) => ({
          name: server.name,
          sip: { name: server.name, host: server.host, port: server.sipPort ?? PORTS.sip },
          control: { kind: 'rpc', url: server.rpcUrl },
        }))
      : pods.length > 0
        ? pods.map((pod) => ({ name: pod.name, control: { kind: 'agent', url: pod.url } }))
        : [
            {
              name: resourceName(name, 'edge'),
              control: { kind: 'agent', url: service('edge', PORTS.edgeAgent) },
            },
          ]
  const httpUrl = (component: 'login' | 'acd', external: { url: string } | undefined) =>
    external?.url.replace(/\/+$/, '') ?? service(component, PORTS.http)
  return {
    site: name,
    edges,
    softswitches: softswitchTargets(site, clusterDomain),
    eslPassword: { namespace: site.metadata.namespace ?? 'default', secret: eslPasswordSecretRef(site) },
    loginUrl: httpUrl('login', login.mode === 'External' ? login.external : undefined),
    acdUrl: httpUrl('acd', acd.mode === 'External' ? acd.external : undefined),
  }
}
