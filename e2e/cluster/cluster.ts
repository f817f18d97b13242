// A real single-node Kubernetes on this machine, started and torn down by the test that uses it:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubelet and CoreDNS (from Go
// modules, e2e/controlplane/build-tools.sh), containerd, runc and the CNI plugins (from Debian), and the
// project's images imported from scripts/images.sh's cache. Everything lives in one directory
// (CALLCENTER_CLUSTER_DIR, default /tmp/callcenter-cluster); one cluster runs per machine, since it owns
// the pod bridge, the KUBE-* iptables chains and the kubepods cgroups. Whatever a killed run left behind
// is swept before the next one starts.
import { spawnSync } from 'node:child_process'
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { NODE_NAME, nodeIp as machineAddress } from './addresses.ts'
import { createBridge, writeCniConfig } from './cni.ts'
import { containerdPaths, removeContainers, startContainerd, syncImages } from './containerd.ts'
import { apiserverUrl, componentKubeconfig, startApiserver, startControllerManager, startScheduler } from './control-plane.ts'
import { startCoreDns } from './coredns.ts'
import { corednsRbac } from './coredns-rbac.ts'
import type { ProjectImages } from './images.ts'
import { startKubeProxy } from './kube-proxy.ts'
import { startKubelet } from './kubelet.ts'
import { createClusterPki } from './pki.ts'
import { killPodProcesses, recordIpForward, sweep } from './teardown.ts'
import { startEtcd } from '../controlplane/etcd.ts'
import { runKubectl, type CommandResult } from '../controlplane/kubectl.ts'
import type { ManagedProcess } from '../controlplane/processes.ts'
import { waitUntilReady } from '../controlplane/readiness.ts'

export interface Cluster {
  readonly dir: string
  readonly nodeIp: string
  readonly server: string
  /** Admin (system:masters) kubeconfig. */
  readonly kubeconfigPath: string
  kubectl(args: readonly string[], options?: { input?: string }): Promise<CommandResult>
  /** Seconds each phase of the start took (reported, never asserted). */
  readonly timings: Readonly<Record<string, number>>
  /** Stops every process and undoes everything the cluster did to the machine. Safe to call twice. */
  stop(): Promise<void>
}

export const clusterDir = (env: NodeJS.ProcessEnv = process.env): string => env.CALLCENTER_CLUSTER_DIR || '/tmp/callcenter-cluster'
const MAIN = fileURLToPath(new URL('main.ts', import.meta.url))

export async function startCluster(images: ProjectImages): Promise<Cluster> {
  const dir = clusterDir()
  const paths = containerdPaths(dir)
  await claimMachine(dir)
  const running: ManagedProcess[] = []
  let containerd: ManagedProcess | undefined
  const timings: Record<string, number> = {}
  let phaseStarted = Date.now()
  const phase = (name: string) => {
    timings[name] = (Date.now() - phaseStarted) / 1000
    phaseStarted = Date.now()
  }
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    process.removeListener('exit', sweepNow)
    // The kubelet first, so it restarts nothing while the rest goes; then the others, newest first.
    for (const managed of running.reverse()) await managed.stop(5_000)
    // The pods, then their records in containerd's kept root, then containerd itself.
    await killPodProcesses()
    if (containerd !== undefined) {
      await removeContainers(paths)
      await containerd.stop(5_000)
    }
    await keepLogs(dir)
    await sweep(dir, paths)
  }
  // If the test process ends without stop(), its children are killed (processes.ts) and this sweeps.
  const sweepNow = (): void => {
    spawnSync(process.execPath, [MAIN, 'down'], { stdio: 'ignore', env: { ...process.env, CALLCENTER_CLUSTER_DIR: dir } })
  }
  process.once('exit', sweepNow)

  try {
    const nodeIp = machineAddress()
    const pki = await createClusterPki(join(dir, 'pki'), nodeIp)
    await createBridge()
    await writeCniConfig(paths.cniConfDir, dir)
    phase('prepare')

    containerd = (await startContainerd(dir)).process
    // Images import while the control plane starts.
    const importStarted = Date.now()
    const imported = syncImages(paths, images).then(() => {
      timings['images (alongside)'] = (Date.now() - importStarted) / 1000
    })
    const etcd = await startEtcd(dir)
    running.push(etcd.process)
    running.push(await startApiserver(dir, nodeIp, etcd.endpoint, pki))
    const server = apiserverUrl(nodeIp)
    const kubeconfigPath = await componentKubeconfig(dir, 'admin', server, pki, pki.admin)
    const kubectl = (args: readonly string[], options?: { input?: string }) => runKubectl(kubeconfigPath, args, options)
    await mustSucceed(kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: corednsRbac() }) }))
    phase('control plane')

    const kubeconfig = (name: string, client: typeof pki.admin) => componentKubeconfig(dir, name, server, pki, client)
    running.push(await startControllerManager(dir, await kubeconfig('controller-manager', pki.controllerManager), pki))
    running.push(await startScheduler(dir, await kubeconfig('scheduler', pki.scheduler)))
    running.push(await startKubeProxy(dir, await kubeconfig('kube-proxy', pki.kubeProxy)))
    running.push(await startCoreDns(dir, await kubeconfig('coredns', pki.coredns)))
    await imported
    const kubelet = await startKubelet(dir, {
      nodeIp,
      kubeconfigPath: await kubeconfig('kubelet', pki.kubeletClient),
      containerdSocket: paths.socket,
      pki,
    })
    running.push(kubelet)
    await waitForNode(kubectl, kubelet)
    // Pods are admitted only once their namespace's default ServiceAccount exists.
    await waitUntilReady(kubelet, async () => (await kubectl(['get', 'serviceaccount', 'default', '-n', 'default'])).code === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
    })
    phase('node')
    return { dir, nodeIp, server, kubeconfigPath, kubectl, timings, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The kubelet registers the node, which then turns Ready once its network and runtime are. */
async function waitForNode(kubectl: (args: readonly string[]) => Promise<CommandResult>, kubelet: ManagedProcess): Promise<void> {
  await waitUntilReady(
    kubelet,
    async () => {
      const { code, stdout } = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])
      return code === 0 && stdout.trim() === 'True'
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  )
}

/** The processes' logs outlive the cluster in DIR-logs (the last run's only), to read after a failure. */
export const logsDir = (dir: string): string => `${dir}-logs`

async function keepLogs(dir: string): Promise<void> {
  const target = logsDir(dir)
  await rm(target, { recursive: true, force: true })
  await mkdir(target, { recursive: true })
  for (const name of await readdir(dir).catch(() => [])) {
    if (name.endsWith('.log')) await copyFile(join(dir, name), join(target, name)).catch(() => {})
  }
}

async function mustSucceed(result: Promise<CommandResult>, what = 'kubectl'): Promise<string> {
  const { code, stdout, stderr } = await result
  if (code !== 0) throw new Error(`${what} failed (exit ${code}): ${stderr}${stdout}`)
  return stdout
}

/** Refuses to start beside a live cluster; sweeps what a dead one left. */
async function claimMachine(dir: string): Promise<void> {
  const ownerFile = join(dir, 'owner.pid')
  const owner = Number(await readFile(ownerFile, 'utf8').catch(() => '0'))
  if (owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new Error(`a one-node cluster is already running in ${dir} (owned by process ${owner}); one per machine`)
  }
  await sweep(dir, containerdPaths(dir))
  await mkdir(dir, { recursive: true })
  await writeFile(ownerFile, String(process.pid))
  await recordIpForward(dir)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
