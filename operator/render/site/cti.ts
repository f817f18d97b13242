// The CTI bridge: FreeSWITCH connects to its outbound-socket port for every call (only the soft switches
// may), and it connects to every soft switch's Event Socket with the ESL password. Its HTTP API is for
// the ACD, the login service and the operator.
import type { NetworkPolicyIngressRule, NetworkPolicyPeer } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { renderHttpWorkload } from './http-workload.ts'
import { operatorNamespace, podsOf, tcp, telephonyPods } from './network-policy.ts'
import { envFromSecret, envValue } from './pod.ts'
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
  return renderHttpWorkload(site, context, endpoints, {
    component: 'cti',
    image: context.images.cti,
    env: [
      envValue('ACD_URL', endpoints.acdUrl),
      envValue('LOGIN_URL', endpoints.loginUrl),
      envValue('OUTBOUND_SOCKET_PORT', PORTS.ctiSocket),
      envValue('ESL_TARGETS', endpoints.eslTargets.join(',')),
      envFromSecret('ESL_PASSWORD', context.eslPasswordSecretRef),
    ],
    extraPorts: { socket: PORTS.ctiSocket },
    servesMetrics: false,
    ingress: [
      fromSoftswitches(site, context),
      { from: [podsOf(site, 'acd'), podsOf(site, 'login'), operatorNamespace(context)], ports: [tcp(PORTS.http)] },
    ],
  })
}
