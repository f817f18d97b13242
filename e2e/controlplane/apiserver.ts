import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ControlPlaneCerts } from './certs.ts'
import { startProcess, type ManagedProcess } from './processes.ts'
import { httpsGet, waitUntilReady, type ClientTls } from './readiness.ts'
import { toolPath } from './tools.ts'

export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24'

export interface ApiserverOptions {
  readonly dir: string
  readonly port: number
  readonly etcdEndpoint: string
  readonly certs: ControlPlaneCerts
  readonly watchCache: boolean
}

/** Starts kube-apiserver with envtest-like minimal flags and waits until /readyz answers 200. */
export async function startApiserver(options: ApiserverOptions): Promise<ManagedProcess> {
  const { dir, port, etcdEndpoint, certs, watchCache } = options
  const tls = await adminTls(certs)
  const managed = startProcess({
    name: 'kube-apiserver',
    command: toolPath('kube-apiserver'),
    args: [
      `--etcd-servers=${etcdEndpoint}`,
      `--cert-dir=${join(dir, 'apiserver')}`,
      `--tls-cert-file=${certs.apiserver.certPath}`,
      `--tls-private-key-file=${certs.apiserver.keyPath}`,
      `--client-ca-file=${certs.caCertPath}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // A loopback address is not a valid Endpoints IP; without this the apiserver logs an error
      // every 10 s trying to publish itself in the default/kubernetes Endpoints.
      '--endpoint-reconciler-type=none',
      `--secure-port=${port}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${certs.serviceAccountPublicKeyPath}`,
      `--service-account-signing-key-file=${certs.serviceAccountPrivateKeyPath}`,
      '--authorization-mode=RBAC',
      // No controller creates the default ServiceAccount unless a test asks for it.
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      `--watch-cache=${watchCache}`,
      // With the default (0) a SIGTERM'd apiserver that has clients watching (the controller
      // manager) hangs until killed; a grace period makes it close the watches and exit in ~1 s.
      '--shutdown-watch-termination-grace-period=2s',
      '--profiling=false',
    ],
    logPath: join(dir, 'kube-apiserver.log'),
  })
  try {
    await waitUntilReady(managed, async () => {
      const { status } = await httpsGet(`https://127.0.0.1:${port}/readyz`, tls)
      return status === 200
    })
  } catch (error) {
    await managed.stop()
    throw error
  }
  return managed
}

async function adminTls(certs: ControlPlaneCerts): Promise<ClientTls> {
  const [ca, cert, key] = await Promise.all([
    readFile(certs.caCertPath, 'utf8'),
    readFile(certs.admin.certPath, 'utf8'),
    readFile(certs.admin.keyPath, 'utf8'),
  ])
  return { ca, cert, key }
}
