// Where a Site's parts are reached: a Managed component at its Service, an External one at the address
// the Site gives.
import type { Site } from '../../../crds/types.ts'
import type { SecretKeyRef, SiteRenderContext } from './context.ts'
import { serviceHost, type ComponentName } from './names.ts'
import { PORTS } from './ports.ts'

export interface RedisConnection {
  host: string
  port: number
  passwordSecretRef?: SecretKeyRef
}

export interface SiteEndpoints {
  loginUrl: string
  acdUrl: string
  ctiUrl: string
  /** Where FreeSWITCH's dialplan hands calls to the CTI bridge. */
  ctiSocket: { host: string; port: number }
  /**
   * Where this site's soft switches send SIP to their edge (a call the CTI bridge transfers to another
   * site's queue): a Managed edge's Service, or the first External edge.
   */
  edgeSip: { host: string; port: number }
  redis: RedisConnection
}

export function siteEndpoints(site: Site, context: SiteRenderContext): SiteEndpoints {
  const name = site.metadata.name
  const { components, redis } = site.spec
  const httpUrl = (component: ComponentName, external: { url: string } | undefined) =>
    external?.url.replace(/\/+$/, '') ?? `http://${serviceHost(name, component, context)}:${PORTS.http}`
  const ctiExternal = components.cti.mode === 'External' ? components.cti.external : undefined
  const externalEdge = components.edge.mode === 'External' ? components.edge.external?.servers[0] : undefined
  return {
    loginUrl: httpUrl('login', components.login.mode === 'External' ? components.login.external : undefined),
    acdUrl: httpUrl('acd', components.acd.mode === 'External' ? components.acd.external : undefined),
    ctiUrl: httpUrl('cti', ctiExternal),
    ctiSocket: { host: ctiExternal ? new URL(ctiExternal.url).hostname : serviceHost(name, 'cti', context), port: PORTS.ctiSocket },
    edgeSip: externalEdge
      ? { host: externalEdge.host, port: externalEdge.sipPort ?? PORTS.sip }
      : { host: serviceHost(name, 'edge', context), port: PORTS.sip },
    redis:
      redis.mode === 'External' && redis.external
        ? { host: redis.external.host, port: redis.external.port ?? PORTS.redis, passwordSecretRef: redis.external.passwordSecretRef }
        : { host: serviceHost(name, 'redis', context), port: PORTS.redis, passwordSecretRef: context.managedRedisPasswordSecretRef },
  }
}
