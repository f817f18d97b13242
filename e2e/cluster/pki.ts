// A throwaway CA and the certificates of the one-node cluster: the apiserver's serving certificate (valid
// for the node's address and the `kubernetes` Service), the kubelet's, and one client certificate per
// component with the user and group Kubernetes' default RBAC expects of it.
import { mkdir } from 'node:fs/promises'
import { createCa, createServiceAccountKeys, signLeaf, type CertPair } from '../controlplane/certs.ts'
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_NAME } from './addresses.ts'
import { COREDNS_USER } from './coredns-rbac.ts'

export type { CertPair }

export interface ClusterPki {
  readonly caCertPath: string
  readonly apiserver: CertPair
  readonly apiserverKubeletClient: CertPair
  readonly kubelet: CertPair
  readonly kubeletClient: CertPair
  readonly admin: CertPair
  readonly controllerManager: CertPair
  readonly scheduler: CertPair
  readonly kubeProxy: CertPair
  readonly coredns: CertPair
  readonly serviceAccountPrivateKeyPath: string
  readonly serviceAccountPublicKeyPath: string
}

export async function createClusterPki(dir: string, nodeIp: string): Promise<ClusterPki> {
  await mkdir(dir, { recursive: true })
  const ca = await createCa(dir, 'callcenter-cluster-ca')
  const leaf = (name: string, subject: string, usage: 'serverAuth' | 'clientAuth', sans: string[] = []) =>
    signLeaf(dir, ca, name, subject, usage, sans)
  const serviceDns = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${CLUSTER_DOMAIN}`]
  const [apiserver, apiserverKubeletClient, kubelet, kubeletClient, admin, controllerManager, scheduler, kubeProxy, coredns, sa] =
    await Promise.all([
      leaf('apiserver', '/CN=kube-apiserver', 'serverAuth', [
        `IP:${nodeIp}`,
        `IP:${KUBERNETES_SERVICE_IP}`,
        'IP:127.0.0.1',
        'DNS:localhost',
        ...serviceDns.map((name) => `DNS:${name}`),
      ]),
      leaf('apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', 'clientAuth'),
      leaf('kubelet', `/CN=${NODE_NAME}`, 'serverAuth', [`IP:${nodeIp}`, `DNS:${NODE_NAME}`]),
      leaf('kubelet-client', `/O=system:nodes/CN=system:node:${NODE_NAME}`, 'clientAuth'),
      leaf('admin', '/O=system:masters/CN=admin', 'clientAuth'),
      leaf('controller-manager', '/CN=system:kube-controller-manager', 'clientAuth'),
      leaf('scheduler', '/CN=system:kube-scheduler', 'clientAuth'),
      leaf('kube-proxy', '/CN=system:kube-proxy', 'clientAuth'),
      // CoreDNS lists and watches Services, EndpointSlices and Namespaces: coredns-rbac.ts grants it.
      leaf('coredns', `/CN=${COREDNS_USER}`, 'clientAuth'),
      createServiceAccountKeys(dir),
    ])
  return {
    caCertPath: ca.certPath,
    apiserver,
    apiserverKubeletClient,
    kubelet,
    kubeletClient,
    admin,
    controllerManager,
    scheduler,
    kubeProxy,
    coredns,
    serviceAccountPrivateKeyPath: sa.keyPath,
    serviceAccountPublicKeyPath: sa.publicKeyPath,
  }
}
