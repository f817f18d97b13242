// Pure: every object a Site needs, from the Site, its neighbours (the other Sites and the Trunks, which
// shape its edge's routing) and the operator's settings. The edge's Kamailio config is rendered here
// and handed to the Site renderer.
import type { Site, Trunk } from '../../crds/types.ts'
import { drillStoppedComponents } from '../failover/drill.ts'
import { renderEdge, type SoftswitchAddress } from '../render/kamailio/index.ts'
import {
  EDGE_PATHS,
  PORTS,
  renderSite,
  resourceName,
  type KubernetesObject,
  type SecretKeyRef,
  type WorkloadImages,
} from '../render/site/index.ts'

export interface ProvisioningSettings {
  images: WorkloadImages
  clusterDomain: string
  operatorNamespace: string
  network: { podCidrs: string[]; nodeCidrs: string[] }
}

export const EDGE_RPC_PORT = 5071

/** Secrets the operator generates when the Site does not name its own, by purpose. */
export function generatedSecretRefs(site: Site): { esl?: SecretKeyRef; loginToken: SecretKeyRef; redis?: SecretKeyRef } {
  const name = site.metadata.name
  return {
    ...(site.spec.components.softswitch.eslPasswordSecretRef ? {} : { esl: { name: `${name}-esl`, key: 'password' } }),
    loginToken: { name: `${name}-login-token`, key: 'secret' },
    ...(site.spec.redis.mode === 'Managed' ? { redis: { name: `${name}-redis`, key: 'password' } } : {}),
  }
}

/** The soft switches' Event Socket password: the Site's own Secret, or the one the operator generates. */
export const eslPasswordSecretRef = (site: Site): SecretKeyRef =>
  site.spec.components.softswitch.eslPasswordSecretRef ??
  generatedSecretRefs(site).esl ?? { name: `${site.metadata.name}-esl`, key: 'password' }

/** Where each site's soft switches take SIP: External servers as given, Managed pods by their stable DNS names. */
export function softswitchAddresses(sites: readonly Site[], clusterDomain: string): Record<string, SoftswitchAddress[]> {
  return Object.fromEntries(
    sites.map((site) => {
      const { softswitch } = site.spec.components
      if (softswitch.mode === 'External') {
        return [
          site.metadata.name,
          (softswitch.external?.servers ?? []).map((s) => ({ name: s.name, host: s.host, port: s.sipPort ?? PORTS.sip })),
        ]
      }
      const service = resourceName(site.metadata.name, 'softswitch')
      const replicas = softswitch.managed?.replicas ?? 2
      return [
        site.metadata.name,
        Array.from({ length: replicas }, (_, i) => ({
          name: `${service}-${i}`,
          host: `${service}-${i}.${service}.${site.metadata.namespace ?? 'default'}.svc.${clusterDomain}`,
          port: PORTS.sip,
        })),
      ]
    }),
  )
}

/** Throws EdgeInputError (from the Kamailio renderer) when the Trunks cannot be honoured at this site. */
export function siteObjects(
  site: Site,
  neighbours: { sites: readonly Site[]; trunks: readonly Trunk[] },
  settings: ProvisioningSettings,
): KubernetesObject[] {
  const secrets = generatedSecretRefs(site)
  const edge =
    site.spec.components.edge.mode === 'Managed'
      ? renderEdge({
          site: site.metadata.name,
          sites: neighbours.sites,
          trunks: neighbours.trunks,
          softswitches: softswitchAddresses(neighbours.sites, settings.clusterDomain),
          listen: { host: '0.0.0.0', sipPort: PORTS.sip },
          rpc: { host: '127.0.0.1', port: EDGE_RPC_PORT },
          dispatcherListPath: EDGE_PATHS.dispatcherList,
        })
      : { kamailioCfg: '', dispatcherList: '' }
  return renderSite(site, {
    namespace: site.metadata.namespace ?? 'default',
    siteUid: site.metadata.uid ?? '',
    clusterDomain: settings.clusterDomain,
    operatorNamespace: settings.operatorNamespace,
    images: settings.images,
    eslPasswordSecretRef: eslPasswordSecretRef(site),
    loginTokenSigningSecretRef: secrets.loginToken,
    ...(secrets.redis ? { managedRedisPasswordSecretRef: secrets.redis } : {}),
    edge: { ...edge, rpcPort: EDGE_RPC_PORT },
    network: settings.network,
    stoppedByDrill: drillStoppedComponents(site.spec.drill, site.status?.lastDrill),
  })
}
