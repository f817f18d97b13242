// The ACD: called by the login service and the CTI bridge (and probed by the operator), nobody else. Its
// env is built with the ACD's own contract (workloads/acd/contract.ts).
import type { Site } from '../../../crds/types.ts'
import { acdContract } from '../../../workloads/acd/contract.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { renderHttpWorkload } from './http-workload.ts'
import { operatorNamespace, podsOf, tcp } from './network-policy.ts'
import { contractEnv, fromSecret, redisUrl } from './pod.ts'
import { PORTS } from './ports.ts'

export function renderAcd(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): KubernetesObject[] {
  const { redis } = endpoints
  return renderHttpWorkload(site, context, {
    component: 'acd',
    image: context.images.acd,
    env: contractEnv(acdContract, {
      site: site.metadata.name,
      port: PORTS.http,
      redisUrl: redisUrl(redis),
      ...(redis.passwordSecretRef ? { redisPassword: fromSecret(redis.passwordSecretRef) } : {}),
    }),
    extraPorts: {},
    servesMetrics: true,
    ingress: [{ from: [podsOf(site, 'login'), podsOf(site, 'cti'), operatorNamespace(context)], ports: [tcp(PORTS.http)] }],
  })
}
