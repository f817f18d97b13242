// kube-proxy in iptables mode: ClusterIPs of Services, the `kubernetes` Service included. It leaves the
// machine's conntrack sysctls alone (maxPerCore 0) and binds its health and metrics to loopback.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NODE_NAME, POD_CIDR, PORTS } from './addresses.ts'
import { startProcess, type ManagedProcess } from '../controlplane/processes.ts'
import { nodeToolPath } from './tools.ts'

export async function startKubeProxy(dir: string, kubeconfigPath: string): Promise<ManagedProcess> {
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: kubeconfigPath },
    hostnameOverride: NODE_NAME,
    clusterCIDR: POD_CIDR,
    healthzBindAddress: `127.0.0.1:${PORTS.kubeProxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${PORTS.kubeProxyMetrics}`,
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    iptables: { localhostNodePorts: false },
  }
  const configPath = join(dir, 'kube-proxy-config.json')
  await writeFile(configPath, JSON.stringify(config, null, 2) + '\n')
  return startProcess({
    name: 'kube-proxy',
    command: nodeToolPath('kube-proxy'),
    args: [`--config=${configPath}`, '--v=1'],
    logPath: join(dir, 'kube-proxy.log'),
  })
}
