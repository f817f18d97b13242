// The Site and Trunk manifests that describe the running harness: External mode, every address real.
import type { Site, Trunk } from '../../crds/types.ts'
import { testTrunk } from '../../workloads/edge/testing/fixture.ts'

export const SITE_NAMES = ['shanghai', 'nantong'] as const
export type SiteName = (typeof SITE_NAMES)[number]

export const NAMESPACE = 'callcenter'

/** Where one site's components listen. */
export interface SiteAddresses {
  redis: { host: string; port: number }
  loginUrl: string
  /** The ACD URL; the harness runs no ACD, so this is a stub URL unless one is added. */
  acdUrl: string
  edge: { host: string; sipPort: number; rpcUrl: string }
  softswitch: { host: string; sipPort: number; eslPort?: number }
}

/** A Site in External mode (the operator creates nothing; it projects and probes), with the fleet's operator-ID pools. */
export function siteManifest(name: SiteName, addresses: SiteAddresses, operatorIdPools: Site['spec']['operatorIdPools']): Site {
  return {
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'Site',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      traffic: 'Active',
      components: {
        softswitch: {
          mode: 'External',
          external: {
            servers: [
              {
                name: 'fs1',
                host: addresses.softswitch.host,
                sipPort: addresses.softswitch.sipPort,
                ...(addresses.softswitch.eslPort === undefined ? {} : { eslPort: addresses.softswitch.eslPort }),
              },
            ],
          },
          eslPasswordSecretRef: { name: `${name}-esl`, key: 'password' },
        },
        edge: {
          mode: 'External',
          external: {
            servers: [{ name: 'edge1', host: addresses.edge.host, sipPort: addresses.edge.sipPort, rpcUrl: addresses.edge.rpcUrl }],
          },
        },
        acd: { mode: 'External', external: { url: addresses.acdUrl } },
        login: { mode: 'External', external: { url: addresses.loginUrl } },
        cti: { mode: 'External', external: { url: addresses.acdUrl } },
      },
      redis: { mode: 'External', external: { host: addresses.redis.host, port: addresses.redis.port } },
      operatorIdPools,
      heartbeat: { intervalMilliseconds: 1000, failureThreshold: 2, confirmations: 1 },
    },
  }
}

/** The Secret a Site's eslPasswordSecretRef names: the password of its soft switches' Event Socket. */
export function eslSecret(site: SiteName, password: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${site}-esl`, namespace: NAMESPACE },
    type: 'Opaque',
    stringData: { password },
  }
}

/**
 * The carrier trunk of the harness: one DID delivered at both sites, split 50/50, local first, 021 ->
 * shanghai, 0513 -> nantong; its calls queue in `skillGroup` when given.
 */
export function harnessTrunk(skillGroup?: string): Trunk {
  const trunk = testTrunk({ shanghai: 50, nantong: 50 })
  return {
    ...trunk,
    metadata: { name: trunk.metadata.name, namespace: NAMESPACE },
    spec: { ...trunk.spec, ...(skillGroup === undefined ? {} : { skillGroup }) },
  }
}
