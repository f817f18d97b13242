// The kubelet of the one node, with the settings this machine kind needs (../shared/notes/real-cluster.md):
// cgroup v1 allowed (failCgroupV1: false) with the cgroupfs driver, swap tolerated, lenient eviction
// thresholds (a shared build machine's disk must not evict the test's pods), webhook authentication and
// authorization, pod logs and its state under the cluster's directory, and no DNS settings inherited from
// the host (pods resolve cluster names only).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BRIDGE_IP, CLUSTER_DOMAIN, NODE_NAME, PORTS } from './addresses.ts'
import type { ClusterPki } from './pki.ts'
import { startProcess, type ManagedProcess } from '../controlplane/processes.ts'
import { nodeToolPath } from './tools.ts'

export const kubeletRoot = (dir: string): string => join(dir, 'kubelet')

export async function startKubelet(
  dir: string,
  options: { nodeIp: string; kubeconfigPath: string; containerdSocket: string; pki: ClusterPki },
): Promise<ManagedProcess> {
  const root = kubeletRoot(dir)
  await mkdir(root, { recursive: true })
  const emptyResolvConf = join(dir, 'pod-resolv.conf')
  await writeFile(emptyResolvConf, '')
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${options.containerdSocket}`,
    address: options.nodeIp,
    port: PORTS.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: PORTS.kubeletHealthz,
    tlsCertFile: options.pki.kubelet.certPath,
    tlsPrivateKeyFile: options.pki.kubelet.keyPath,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: options.pki.caCertPath } },
    authorization: { mode: 'Webhook' },
    clusterDomain: CLUSTER_DOMAIN,
    clusterDNS: [BRIDGE_IP],
    resolvConf: emptyResolvConf,
    podLogsDirectory: join(dir, 'pod-logs'),
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    registerNode: true,
  }
  const configPath = join(dir, 'kubelet-config.json')
  await writeFile(configPath, JSON.stringify(config, null, 2) + '\n')
  return startProcess({
    name: 'kubelet',
    command: nodeToolPath('kubelet'),
    args: [
      `--config=${configPath}`,
      `--kubeconfig=${options.kubeconfigPath}`,
      `--root-dir=${root}`,
      `--cert-dir=${join(root, 'pki')}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${options.nodeIp}`,
      '--v=1',
    ],
    logPath: join(dir, 'kubelet.log'),
  })
}
