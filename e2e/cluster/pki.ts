// A throwaway CA and the certificates of the one-node cluster: the apiserver's serving certificate (valid
// for the node's address and the `kubernetes` Service), the kubelet's, and one client certificate per
// component with the user and group Kubernetes' default RBAC expects of it.
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_NAME } from './addresses.ts'
import { COREDNS_USER } from './coredns-rbac.ts'

const execFileAsync = promisify(execFile)
const VALID_DAYS = '7'

export interface CertPair {
  readonly certPath: string
  readonly keyPath: string
}

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
  const ca = { certPath: join(dir, 'ca.crt'), keyPath: join(dir, 'ca.key') }
  await openssl(
    ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'].concat([
      '-keyout',
      ca.keyPath,
      '-out',
      ca.certPath,
      '-days',
      VALID_DAYS,
      '-subj',
      '/CN=callcenter-cluster-ca',
    ]),
  )
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
      serviceAccountKeys(dir),
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

async function signLeaf(dir: string, ca: CertPair, name: string, subject: string, usage: string, sans: string[]): Promise<CertPair> {
  const pair = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) }
  const extensionsPath = join(dir, `${name}.ext`)
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage}`,
    ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
  ]
  await writeFile(extensionsPath, extensions.join('\n') + '\n')
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pair.keyPath])
  const csr = await openssl(['req', '-new', '-key', pair.keyPath, '-subj', subject])
  await openssl(
    ['x509', '-req', '-CA', ca.certPath, '-CAkey', ca.keyPath, '-days', VALID_DAYS, '-extfile', extensionsPath, '-out', pair.certPath],
    csr,
  )
  return pair
}

async function serviceAccountKeys(dir: string): Promise<{ keyPath: string; publicKeyPath: string }> {
  const keyPath = join(dir, 'service-account.key')
  const publicKeyPath = join(dir, 'service-account.pub')
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath])
  await openssl(['pkey', '-in', keyPath, '-pubout', '-out', publicKeyPath])
  return { keyPath, publicKeyPath }
}

async function openssl(args: readonly string[], input?: string): Promise<string> {
  const running = execFileAsync('openssl', args, { encoding: 'utf8' })
  running.child.stdin?.on('error', () => {})
  running.child.stdin?.end(input)
  try {
    return (await running).stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? ''
    throw new Error(`openssl ${args[0]} failed: ${stderr}`, { cause: error })
  }
}
