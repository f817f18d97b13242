// The ACD: called by the login service and the CTI bridge (and probed by the operator), nobody else.
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { renderHttpWorkload } from './http-workload.ts'
import { operatorNamespace, podsOf, tcp } from './network-policy.ts'
import { PORTS } from './ports.ts'

export function renderAcd(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): KubernetesObject[] {
  return renderHttpWorkload(site, context, endpoints, {
    component: 'acd',
    image: context.images.acd,
    env: [],
    extraPorts: {},
    servesMetrics: true,
    ingress: [{ from: [podsOf(site, 'login'), podsOf(site, 'cti'), operatorNamespace(context)], ports: [tcp(PORTS.http)] }],
  })
}
