import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApiserver } from './apiserver.ts'
import { createControlPlaneCerts } from './certs.ts'
import { DEFAULT_CONTROLLERS, startControllerManager } from './controller-manager.ts'
import { compactEtcd, startEtcd } from './etcd.ts'
import { writeKubeconfig } from './kubeconfig.ts'
import { runKubectl, type CommandResult } from './kubectl.ts'
import { allocatePort, retryOnPortConflict } from './ports.ts'
import { forgetDirOnExit, removeDirOnExit, type ManagedProcess } from './processes.ts'
import { toolPath } from './tools.ts'

export type { CommandResult } from './kubectl.ts'

export interface ControlPlaneOptions {
  /** Also start kube-controller-manager (garbage collector and namespace controllers). */
  readonly controllerManager?: boolean
  /**
   * The apiserver's watch cache (default on, as in real clusters). It serves recent history from
   * memory, which hides an etcd compaction; turn it off when a test needs compactEtcd() to make
   * older resourceVersions 410 Gone. Without it the apiserver sends no watch bookmarks.
   */
  readonly watchCache?: boolean
}

export interface ControlPlane {
  /** Fresh temp dir holding certs, kubeconfigs, etcd data and one log file per process. */
  readonly dir: string
  /** The apiserver's https URL; stays the same across stopApiserver/startApiserver. */
  readonly server: string
  /** Admin (system:masters) kubeconfig with the certs embedded. */
  readonly kubeconfigPath: string
  readonly etcdEndpoint: string
  kubectl(args: readonly string[], options?: { input?: string }): Promise<CommandResult>
  stopApiserver(): Promise<void>
  /** Starts the apiserver again on the same port and etcd; waits for /readyz. */
  startApiserver(): Promise<void>
  /**
   * Compacts away etcd's history and returns the revision compacted to. Watches and lists that
   * reach etcd from any resourceVersion older than the newest then get 410 Gone; with the watch
   * cache on, the apiserver may still serve them from memory (see ControlPlaneOptions.watchCache).
   */
  compactEtcd(): Promise<number>
  /** No-op if it is already running. */
  startControllerManager(options?: { controllers?: readonly string[] }): Promise<void>
  /** The processes currently running, for diagnostics and tests of the harness itself. */
  processes(): ReadonlyArray<{ readonly name: string; readonly pid: number }>
  /** Kills every process (SIGTERM, then SIGKILL) and removes `dir`. Safe to call twice. */
  stop(): Promise<void>
}

/** Starts etcd and kube-apiserver (and optionally kube-controller-manager) on loopback. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  // Fail on a missing binary before starting anything.
  for (const tool of ['etcd', 'kube-apiserver', 'kubectl'] as const) toolPath(tool)
  if (options.controllerManager === true) toolPath('kube-controller-manager')
  const dir = await mkdtemp(join(tmpdir(), 'callcenter-e2e-'))
  removeDirOnExit(dir)
  const watchCache = options.watchCache ?? true
  const running = new Map<string, ManagedProcess>()
  let stopped = false

  const stop = async (): Promise<void> => {
    stopped = true
    // Dependants first, so nothing logs errors about its backend vanishing.
    for (const name of ['kube-controller-manager', 'kube-apiserver', 'etcd']) {
      await running.get(name)?.stop()
      running.delete(name)
    }
    await rm(dir, { recursive: true, force: true })
    forgetDirOnExit(dir)
  }

  try {
    const certs = await createControlPlaneCerts(join(dir, 'certs'))
    const etcd = await startEtcd(dir)
    running.set('etcd', etcd.process)

    let apiserverPort = 0
    const launchApiserver = async (): Promise<void> => {
      const apiserver = await startApiserver({ dir, port: apiserverPort, etcdEndpoint: etcd.endpoint, certs, watchCache })
      running.set('kube-apiserver', apiserver)
    }
    await retryOnPortConflict(async () => {
      apiserverPort = await allocatePort()
      await launchApiserver()
    })
    const server = `https://127.0.0.1:${apiserverPort}`
    const kubeconfigPath = join(dir, 'admin.kubeconfig')
    await writeKubeconfig(kubeconfigPath, {
      server,
      caCertPath: certs.caCertPath,
      client: certs.admin,
      userName: 'admin',
    })

    const controlPlane: ControlPlane = {
      dir,
      server,
      kubeconfigPath,
      etcdEndpoint: etcd.endpoint,
      kubectl: (args, kubectlOptions) => runKubectl(kubeconfigPath, args, kubectlOptions),
      async stopApiserver() {
        await running.get('kube-apiserver')?.stop()
        running.delete('kube-apiserver')
      },
      async startApiserver() {
        assertNotStopped(stopped)
        if (running.has('kube-apiserver')) return
        await launchApiserver()
      },
      compactEtcd: () => compactEtcd(etcd.endpoint),
      async startControllerManager(controllerManagerOptions = {}) {
        assertNotStopped(stopped)
        if (running.has('kube-controller-manager')) return
        const controllerManagerKubeconfig = join(dir, 'controller-manager.kubeconfig')
        await writeKubeconfig(controllerManagerKubeconfig, {
          server,
          caCertPath: certs.caCertPath,
          client: certs.controllerManager,
          userName: 'system:kube-controller-manager',
        })
        const controllers = controllerManagerOptions.controllers ?? DEFAULT_CONTROLLERS
        await retryOnPortConflict(async () => {
          const port = await allocatePort()
          const controllerManager = await startControllerManager({
            dir,
            port,
            kubeconfigPath: controllerManagerKubeconfig,
            certs,
            controllers,
          })
          running.set('kube-controller-manager', controllerManager)
        })
      },
      processes: () => [...running.values()].map(({ name, pid }) => ({ name, pid })),
      stop,
    }
    if (options.controllerManager === true) await controlPlane.startControllerManager()
    return controlPlane
  } catch (error) {
    await stop()
    throw error
  }
}

function assertNotStopped(stopped: boolean): void {
  if (stopped) throw new Error('this control plane has been stopped')
}
