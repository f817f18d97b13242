// Undoes everything the one-node cluster did to this machine, whether the harness stopped it or a killed
// test left it behind: the processes (by PID: the harness's own, every process in the pods' cgroups, and
// containerd's shims, found by the socket they were started with), the mounts under the cluster's
// directory (pod volumes, container root filesystems, network namespaces), the CNI bridge, the pods'
// cgroups, the KUBE-* iptables chains, IPv4 forwarding as it was, and the directory itself. Every step tolerates "already gone".
import { readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BRIDGE_NAME } from './addresses.ts'
import type { ContainerdPaths } from './containerd.ts'
import { runQuietly } from './exec.ts'

const CGROUP_ROOT = '/sys/fs/cgroup'
/** The kubelet's cgroup for pods (cgroupfs driver, cgroupsPerQOS). */
const PODS_CGROUP = 'kubepods'

export async function sweep(dir: string, containerd: ContainerdPaths): Promise<void> {
  await restoreIpForward(dir)
  await killPodProcesses()
  await killProcesses(await processesStartedWith(containerd.socket))
  await unmountUnder(dir)
  await unmountUnder(containerd.root)
  await runQuietly('ip', ['link', 'delete', BRIDGE_NAME])
  await removePodCgroups()
  for (const iptables of ['iptables', 'ip6tables']) await removeKubeChains(iptables)
  await rm(dir, { recursive: true, force: true })
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward'
const ipForwardRecord = (dir: string) => join(dir, 'ip_forward.before')

/** The CNI bridge plugin turns IPv4 forwarding on (the pods' gateway routes); the sweep puts it back. */
export async function recordIpForward(dir: string): Promise<void> {
  await writeFile(ipForwardRecord(dir), await readFile(IP_FORWARD, 'utf8'))
}

async function restoreIpForward(dir: string): Promise<void> {
  const before = await readFile(ipForwardRecord(dir), 'utf8').catch(() => undefined)
  if (before !== undefined) await writeFile(IP_FORWARD, before).catch(() => {})
}

export async function killProcesses(pids: readonly number[]): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGKILL')
  for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100)
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Processes whose command line mentions `needle` (containerd's shims carry its socket address). */
export async function processesStartedWith(needle: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0').includes(needle)) pids.push(Number(entry))
  }
  return pids
}

async function podCgroupDirs(): Promise<string[]> {
  const dirs: string[] = []
  const walk = async (path: string): Promise<void> => {
    dirs.push(path)
    for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(path, entry.name))
    }
  }
  for (const hierarchy of await readdir(CGROUP_ROOT).catch(() => [])) {
    const top = join(CGROUP_ROOT, hierarchy, PODS_CGROUP)
    if (await stat(top).catch(() => undefined)) await walk(top)
  }
  return dirs
}

/** Kills every process in the pods' cgroups: the containers, whatever containerd or the kubelet does. */
export async function killPodProcesses(): Promise<void> {
  const pids = new Set<number>()
  for (const dir of await podCgroupDirs()) {
    const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')
    for (const line of procs.split('\n')) if (line.trim() !== '') pids.add(Number(line))
  }
  await killProcesses([...pids])
}

async function removePodCgroups(): Promise<void> {
  // Deepest first: a cgroup can be removed only once its children are.
  const dirs = (await podCgroupDirs()).sort((a, b) => b.length - a.length)
  for (const dir of dirs) await rmdir(dir).catch(() => {})
}

async function unmountUnder(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8')
  const unescape = (path: string) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
  const targets = mountinfo
    .split('\n')
    .map((line) => unescape(line.split(' ')[4] ?? ''))
    .filter((target) => target.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length)
  for (const target of targets) await runQuietly('umount', ['--lazy', target])
}

/** Removes every KUBE-* chain (kubelet's and kube-proxy's) and the rules that jump to them. */
export async function removeKubeChains(iptables: string): Promise<void> {
  for (const table of ['filter', 'nat', 'mangle']) {
    const rules = await runQuietly(`${iptables}-save`, ['-t', table])
    const chains = rules
      .split('\n')
      .filter((line) => line.startsWith(':KUBE-'))
      .map((line) => line.slice(1).split(' ')[0] ?? '')
    if (chains.length === 0) continue
    const jumps = rules.split('\n').filter((line) => line.startsWith('-A ') && !line.startsWith('-A KUBE-') && / -j KUBE-/.test(line))
    for (const jump of jumps) await runQuietly(iptables, ['-t', table, '-D', ...shellWords(jump.slice(3))])
    for (const chain of chains) await runQuietly(iptables, ['-t', table, '-F', chain])
    for (const chain of chains) await runQuietly(iptables, ['-t', table, '-X', chain])
  }
}

/** Splits an iptables-save rule into arguments; comments are double-quoted. */
export function shellWords(line: string): string[] {
  const words: string[] = []
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? '')
  return words
}
