// The login service: agents' clients reach it from anywhere (HTTP and WebSocket on one port); it also
// serves the soft switches' directory. Its env is built with the login service's own contract
// (workloads/login/contract.ts). It signs agent tokens with a key from a Secret (LOGIN_TOKEN_SECRET), and
// reads who may sign in from the identity file in the Secret the Site names (spec.components.login.
// identitySecretRef, default `<site>-login-identity`, key identity.json), which the operator never
// creates: until it exists the pods do not start. The file is read at start: roll the Deployment after
// changing it.
import type { Site } from '../../../crds/types.ts'
import { loginContract } from '../../../workloads/login/contract.ts'
import type { KubernetesObject, SecretKeyRef, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { renderHttpWorkload } from './http-workload.ts'
import { tcp } from './network-policy.ts'
import { contractEnv, fromSecret, mount, redisUrl } from './pod.ts'
import { PORTS } from './ports.ts'

const IDENTITY_DIR = '/etc/callcenter/login'
const IDENTITY_FILE = 'identity.json'

/** The Secret holding a Managed login service's identity file. */
export function loginIdentitySecretRef(site: Site): SecretKeyRef {
  const login = site.spec.components.login
  const named = login.mode === 'Managed' ? login.identitySecretRef : undefined
  return named ? { name: named.name, key: named.key } : { name: `${site.metadata.name}-login-identity`, key: IDENTITY_FILE }
}

export function renderLogin(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): KubernetesObject[] {
  const { redis } = endpoints
  const identity = loginIdentitySecretRef(site)
  return renderHttpWorkload(site, context, {
    component: 'login',
    image: context.images.login,
    env: contractEnv(loginContract, {
      site: site.metadata.name,
      port: PORTS.http,
      redisUrl: redisUrl(redis),
      ...(redis.passwordSecretRef ? { redisPassword: fromSecret(redis.passwordSecretRef) } : {}),
      // Re-login instructions name the Service: the pods' own addresses are not the service's.
      publicUrl: endpoints.loginUrl,
      tokenSecret: fromSecret(context.loginTokenSigningSecretRef),
      acdUrl: endpoints.acdUrl,
      identityFile: `${IDENTITY_DIR}/${IDENTITY_FILE}`,
    }),
    volumes: [
      {
        volume: { name: 'identity', secret: { secretName: identity.name, items: [{ key: identity.key, path: IDENTITY_FILE }] } },
        mount: mount('identity', IDENTITY_DIR, true),
      },
    ],
    extraPorts: {},
    servesMetrics: true,
    ingress: [{ ports: [tcp(PORTS.http)] }],
  })
}
