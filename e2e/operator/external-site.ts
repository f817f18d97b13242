// A Site whose every component already runs (External): the operator creates nothing for it and only
// configures it (Redis projection) and probes it.
export function externalSite(name: string, ports: { redisPort: number; loginPort?: number; acdPort?: number; edgeRpcPort?: number }) {
  const url = (port = 1) => `http://127.0.0.1:${port}`
  return {
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'Site',
    metadata: { name, namespace: 'callcenter' },
    spec: {
      components: {
        softswitch: {
          mode: 'External',
          external: { servers: [{ name: 'fs1', host: '127.0.0.1' }] },
          eslPasswordSecretRef: { name: `${name}-esl`, key: 'password' },
        },
        edge: { mode: 'External', external: { servers: [{ name: 'edge1', host: '127.0.0.1', rpcUrl: `${url(ports.edgeRpcPort)}/RPC` }] } },
        acd: { mode: 'External', external: { url: url(ports.acdPort) } },
        login: { mode: 'External', external: { url: url(ports.loginPort) } },
        cti: { mode: 'External', external: { url: url() } },
      },
      redis: { mode: 'External', external: { host: '127.0.0.1', port: ports.redisPort } },
      operatorIdPools: [{ name: 'general', from: 100000, to: 109999 }],
    },
  }
}
