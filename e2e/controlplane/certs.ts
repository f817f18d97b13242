import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

export interface CertPair {
  readonly certPath: string
  readonly keyPath: string
}

export interface ControlPlaneCerts {
  readonly caCertPath: string
  readonly apiserver: CertPair
  readonly admin: CertPair
  readonly controllerManager: CertPair
  readonly serviceAccountPrivateKeyPath: string
  readonly serviceAccountPublicKeyPath: string
}

export const SERVICE_IP = '10.0.0.1'

const VALID_DAYS = '7'

const APISERVER_SANS = [
  'IP:127.0.0.1',
  `IP:${SERVICE_IP}`,
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
]

/** A throwaway CA and every cert/key the control plane needs, written under `dir`. */
export async function createControlPlaneCerts(dir: string): Promise<ControlPlaneCerts> {
  await mkdir(dir, { recursive: true })
  const ca = await createCa(dir, 'callcenter-e2e-ca')
  const [apiserver, admin, controllerManager, serviceAccount] = await Promise.all([
    signLeaf(dir, ca, 'apiserver', '/CN=kube-apiserver', 'serverAuth', APISERVER_SANS),
    signLeaf(dir, ca, 'admin', '/O=system:masters/CN=admin', 'clientAuth'),
    // system:masters because --use-service-account-credentials=false runs every controller
    // with this one identity, and the GC must be able to delete any kind.
    signLeaf(dir, ca, 'controller-manager', '/O=system:masters/CN=system:kube-controller-manager', 'clientAuth'),
    createServiceAccountKeys(dir),
  ])
  return {
    caCertPath: ca.certPath,
    apiserver,
    admin,
    controllerManager,
    serviceAccountPrivateKeyPath: serviceAccount.keyPath,
    serviceAccountPublicKeyPath: serviceAccount.publicKeyPath,
  }
}

/** A throwaway self-signed EC CA, written under `dir` as ca.crt and ca.key. */
export async function createCa(dir: string, commonName: string): Promise<CertPair> {
  const ca = { certPath: join(dir, 'ca.crt'), keyPath: join(dir, 'ca.key') }
  await openssl([
    'req',
    '-x509',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-keyout',
    ca.keyPath,
    '-out',
    ca.certPath,
    '-days',
    VALID_DAYS,
    '-subj',
    `/CN=${commonName}`,
  ])
  return ca
}

/** A leaf certificate and its EC key, signed by `ca`. */
export async function signLeaf(
  dir: string,
  ca: CertPair,
  name: string,
  subject: string,
  extendedKeyUsage: 'serverAuth' | 'clientAuth',
  subjectAltNames: readonly string[] = [],
): Promise<CertPair> {
  const pair = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) }
  const extensionsPath = join(dir, `${name}.ext`)
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${extendedKeyUsage}`,
    ...(subjectAltNames.length > 0 ? [`subjectAltName=${subjectAltNames.join(',')}`] : []),
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

export async function createServiceAccountKeys(dir: string): Promise<{ keyPath: string; publicKeyPath: string }> {
  const keyPath = join(dir, 'service-account.key')
  const publicKeyPath = join(dir, 'service-account.pub')
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath])
  await openssl(['pkey', '-in', keyPath, '-pubout', '-out', publicKeyPath])
  return { keyPath, publicKeyPath }
}

async function openssl(args: readonly string[], input?: string): Promise<string> {
  const running = execFileAsync('openssl', args, { encoding: 'utf8' })
  // openssl may exit without reading stdin; a failed write there is not the error to report.
  running.child.stdin?.on('error', () => {})
  running.child.stdin?.end(input)
  try {
    return (await running).stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? ''
    throw new Error(`openssl ${args[0]} failed (is openssl installed? 'npm run setup' installs it): ${stderr}`, {
      cause: error,
    })
  }
}
