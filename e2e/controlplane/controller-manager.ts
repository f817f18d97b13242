import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ControlPlaneCerts } from './certs.ts'
import { startProcess, type ManagedProcess } from './processes.ts'
import { httpsGet, waitUntilReady } from './readiness.ts'
import { toolPath } from './tools.ts'

/** Enough for owner-reference garbage collection and namespace deletion. */
export const DEFAULT_CONTROLLERS: readonly string[] = ['garbagecollector', 'namespace']

export interface ControllerManagerOptions {
  readonly dir: string
  readonly port: number
  readonly kubeconfigPath: string
  readonly certs: ControlPlaneCerts
  readonly controllers: readonly string[]
}

/** Starts kube-controller-manager and waits until its /healthz answers 200. */
export async function startControllerManager(options: ControllerManagerOptions): Promise<ManagedProcess> {
  const { dir, port, kubeconfigPath, certs, controllers } = options
  const ca = await readFile(certs.caCertPath, 'utf8')
  const managed = startProcess({
    name: 'kube-controller-manager',
    command: toolPath('kube-controller-manager'),
    args: [
      `--kubeconfig=${kubeconfigPath}`,
      `--controllers=${controllers.join(',')}`,
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      `--service-account-private-key-file=${certs.serviceAccountPrivateKeyPath}`,
      `--root-ca-file=${certs.caCertPath}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      // The apiserver's serving cert is valid for 127.0.0.1 and signed by our CA.
      `--tls-cert-file=${certs.apiserver.certPath}`,
      `--tls-private-key-file=${certs.apiserver.keyPath}`,
      '--profiling=false',
    ],
    logPath: join(dir, 'kube-controller-manager.log'),
  })
  try {
    await waitUntilReady(managed, async () => {
      const { status } = await httpsGet(`https://127.0.0.1:${port}/healthz`, { ca })
      return status === 200
    })
  } catch (error) {
    await managed.stop()
    throw error
  }
  return managed
}
