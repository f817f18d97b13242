// Test fixture: a Site whose every component is External at addresses named after the site
// (`<name>-fs1`, `<name>-edge1` with JSON-RPC at `http://<name>-edge1/RPC`, `http://<name>-login`, ...),
// as the failover and planned-switchover controllers' unit tests see sites.
import type { Site } from '../../../crds/types.ts'
import type { Cached } from '../kinds.ts'

export function externalSite(name: string, namespace: string, spec: Partial<Site['spec']> = {}): Cached<Site> {
  return {
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'Site',
    metadata: { name, namespace, uid: `uid-${name}`, generation: 1 },
    spec: {
      components: {
        softswitch: {
          mode: 'External',
          external: { servers: [{ name: 'fs1', host: `${name}-fs1` }] },
          eslPasswordSecretRef: { name: 'esl', key: 'password' },
        },
        edge: { mode: 'External', external: { servers: [{ name: 'edge1', host: `${name}-edge1`, rpcUrl: `http://${name}-edge1/RPC` }] } },
        acd: { mode: 'External', external: { url: `http://${name}-acd` } },
        login: { mode: 'External', external: { url: `http://${name}-login` } },
        cti: { mode: 'External', external: { url: `http://${name}-cti` } },
      },
      redis: { mode: 'External', external: { host: `${name}-redis` } },
      operatorIdPools: [{ name: 'p', from: 1, to: 100 }],
      ...spec,
    },
  }
}
