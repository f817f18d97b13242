// The one-node cluster's control plane: etcd (as the loopback control plane starts it), kube-apiserver
// serving on every address of the node (pods reach it through the `kubernetes` Service, which kube-proxy
// sends to the node's address), kube-controller-manager with all its default controllers, and
// kube-scheduler. Each component authenticates with its own client certificate.
import { readFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { PORTS, SERVICE_CIDR } from './addresses.ts'
import type { CertPair, ClusterPki } from './pki.ts'
import { writeKubeconfig } from '../controlplane/kubeconfig.ts'
import { startProcess, type ManagedProcess } from '../controlplane/processes.ts'
import { httpsGet, waitUntilReady } from '../controlplane/readiness.ts'
import { toolPath } from '../controlplane/tools.ts'
import { nodeToolPath } from './tools.ts'

export const apiserverUrl = (nodeIp: string): string => `https://${nodeIp}:${PORTS.apiserver}`

export async function componentKubeconfig(dir: string, name: string, server: string, pki: ClusterPki, client: CertPair): Promise<string> {
  const path = join(dir, `${name}.kubeconfig`)
  await writeKubeconfig(path, { server, caCertPath: pki.caCertPath, client, userName: name })
  return path
}

export async function startApiserver(dir: string, nodeIp: string, etcdEndpoint: string, pki: ClusterPki): Promise<ManagedProcess> {
  const process = startProcess({
    name: 'kube-apiserver',
    command: toolPath('kube-apiserver'),
    args: [
      `--etcd-servers=${etcdEndpoint}`,
      `--cert-dir=${join(dir, 'apiserver')}`,
      `--tls-cert-file=${pki.apiserver.certPath}`,
      `--tls-private-key-file=${pki.apiserver.keyPath}`,
      `--client-ca-file=${pki.caCertPath}`,
      '--bind-address=0.0.0.0',
      `--advertise-address=${nodeIp}`,
      `--secure-port=${PORTS.apiserver}`,
      '--endpoint-reconciler-type=lease',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPublicKeyPath}`,
      `--service-account-signing-key-file=${pki.serviceAccountPrivateKeyPath}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--allow-privileged=true',
      `--kubelet-client-certificate=${pki.apiserverKubeletClient.certPath}`,
      `--kubelet-client-key=${pki.apiserverKubeletClient.keyPath}`,
      `--kubelet-certificate-authority=${pki.caCertPath}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--shutdown-watch-termination-grace-period=2s',
      '--profiling=false',
    ],
    logPath: join(dir, 'kube-apiserver.log'),
  })
  const tls = {
    ca: await readFile(pki.caCertPath, 'utf8'),
    cert: await readFile(pki.admin.certPath, 'utf8'),
    key: await readFile(pki.admin.keyPath, 'utf8'),
  }
  await waitUntilReady(process, async () => (await httpsGet(`https://127.0.0.1:${PORTS.apiserver}/readyz`, tls)).status === 200, {
    timeoutMs: 120_000,
  })
  return process
}

export async function startControllerManager(dir: string, kubeconfigPath: string, pki: ClusterPki): Promise<ManagedProcess> {
  const process = startProcess({
    name: 'kube-controller-manager',
    command: toolPath('kube-controller-manager'),
    args: [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      // Each controller acts with its own ServiceAccount, as in a real cluster.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountPrivateKeyPath}`,
      `--root-ca-file=${pki.caCertPath}`,
      '--allocate-node-cidrs=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${PORTS.controllerManager}`,
      `--cert-dir=${join(dir, 'controller-manager')}`,
      '--profiling=false',
    ],
    logPath: join(dir, 'kube-controller-manager.log'),
  })
  await waitUntilHealthy(process, PORTS.controllerManager)
  return process
}

export async function startScheduler(dir: string, kubeconfigPath: string): Promise<ManagedProcess> {
  const process = startProcess({
    name: 'kube-scheduler',
    command: nodeToolPath('kube-scheduler'),
    args: [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${PORTS.scheduler}`,
      `--cert-dir=${join(dir, 'scheduler')}`,
      '--profiling=false',
    ],
    logPath: join(dir, 'kube-scheduler.log'),
  })
  await waitUntilHealthy(process, PORTS.scheduler)
  return process
}

// /healthz of a component serving with its own self-signed certificate (anyone may read /healthz).
async function waitUntilHealthy(process: ManagedProcess, port: number): Promise<void> {
  await waitUntilReady(process, () => healthzOk(port), { timeoutMs: 60_000, intervalMs: 250 })
}

export function healthzOk(port: number, path = '/healthz'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}
