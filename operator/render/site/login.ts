// The login service: agents' clients reach it from anywhere (HTTP and WebSocket on one port); it also
// serves the soft switches' directory. It signs agent tokens with a key from a Secret.
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { renderHttpWorkload } from './http-workload.ts'
import { tcp } from './network-policy.ts'
import { envFromSecret, envValue } from './pod.ts'
import { PORTS } from './ports.ts'

export function renderLogin(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): KubernetesObject[] {
  return renderHttpWorkload(site, context, endpoints, {
    component: 'login',
    image: context.images.login,
    env: [envValue('ACD_URL', endpoints.acdUrl), envFromSecret('TOKEN_SIGNING_KEY', context.loginTokenSigningSecretRef)],
    extraPorts: {},
    servesMetrics: true,
    ingress: [{ ports: [tcp(PORTS.http)] }],
  })
}
