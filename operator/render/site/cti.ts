// The CTI bridge: FreeSWITCH's dialplan connects to its outbound-socket port for every call (only the
// soft switches may), the same port the dialplan's `socket` targets (endpoints.ctiSocket). It calls the
// ACD and writes call records to Redis; it does not connect to FreeSWITCH's Event Socket itself. It
// sends a transfer to another site's queue through this site's edge (CTI_EDGE, endpoints.edgeSip). Its
// HTTP port serves /healthz, /readyz and /metrics, for the kubelet and the operator's namespace. Its env
// is built with the bridge's own contract (workloads/cti/contract.ts).
import type { NetworkPolicyIngressRule, NetworkPolicyPeer } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { renderHttpWorkload } from './http-workload.ts'
import { operatorNamespace, tcp, telephonyPods } from './network-policy.ts'
import { ctiContract } from '../../../workloads/cti/contract.ts'
import { contractEnv, fromSecret, hostPort, redisUrl } from './pod.ts'
import { PORTS } from './ports.ts'

const IPV4 = /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/

/**
 * Who may connect to the outbound-socket port: Managed soft switches by pod (and node); External ones by
 * address. A NetworkPolicy cannot name hosts by DNS name, so External servers given by name leave the
 * port open to all sources (the CTI bridge must then check who connects).
 */
function fromSoftswitches(site: Site, context: SiteRenderContext): NetworkPolicyIngressRule {
  const softswitch = site.spec.components.softswitch
  if (softswitch.mode === 'Managed') return { from: telephonyPods(site, 'softswitch', context), ports: [tcp(PORTS.ctiSocket)] }
  const hosts = (softswitch.external?.servers ?? []).map((server) => server.host)
  if (hosts.length === 0 || !hosts.every((host) => IPV4.test(host))) return { ports: [tcp(PORTS.ctiSocket)] }
  const peers: NetworkPolicyPeer[] = [...new Set(hosts)].sort().map((host) => ({ ipBlock: { cidr: `${host}/32` } }))
  return { from: peers, ports: [tcp(PORTS.ctiSocket)] }
}

export function renderCti(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): KubernetesObject[] {
  const { redis } = endpoints
  return renderHttpWorkload(site, context, {
    component: 'cti',
    image: context.images.cti,
    env: contractEnv(ctiContract, {
      site: site.metadata.name,
      acdUrl: endpoints.acdUrl,
      redisUrl: redisUrl(redis),
      ...(redis.passwordSecretRef ? { redisPassword: fromSecret(redis.passwordSecretRef) } : {}),
      port: endpoints.ctiSocket.port,
      httpPort: PORTS.http,
      // FreeSWITCH dials it (a transfer to another site's queue), so it names the edge as the soft switches reach it.
      edge: hostPort(endpoints.edgeSip),
    }),
    extraPorts: { socket: endpoints.ctiSocket.port },
    servesMetrics: true,
    ingress: [fromSoftswitches(site, context), { from: [operatorNamespace(context)], ports: [tcp(PORTS.http)] }],
  })
}
