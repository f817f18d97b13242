// Cluster DNS: CoreDNS (built from Go modules with a minimal plugin set) as a host process, listening on
// the pod bridge's address, which the kubelet hands pods as their nameserver. It answers for
// cluster.local only: nothing is forwarded to the machine's own resolver.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BRIDGE_IP, CLUSTER_DOMAIN, PORTS } from './addresses.ts'
import { startProcess, type ManagedProcess } from '../controlplane/processes.ts'
import { httpOk, waitUntilReady } from '../controlplane/readiness.ts'
import { nodeToolPath } from './tools.ts'

export async function startCoreDns(dir: string, kubeconfigPath: string): Promise<ManagedProcess> {
  const corefile = `.:53 {
    bind ${BRIDGE_IP}
    errors
    health 127.0.0.1:${PORTS.dnsHealth}
    ready 127.0.0.1:${PORTS.dnsReady}
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfigPath}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
`
  const corefilePath = join(dir, 'Corefile')
  await writeFile(corefilePath, corefile)
  const process = startProcess({
    name: 'coredns',
    command: nodeToolPath('coredns'),
    args: ['-conf', corefilePath],
    logPath: join(dir, 'coredns.log'),
  })
  // /ready answers once the kubernetes plugin has synced with the apiserver.
  await waitUntilReady(process, () => httpOk(`http://127.0.0.1:${PORTS.dnsReady}/ready`), { timeoutMs: 60_000, intervalMs: 250 })
  return process
}
