// CPU time used by this process and every process it started (children, their children, ...), grouped
// by what runs: simulated agents, login replicas, Redis, the operator, the control plane, the edge. A
// benchmark takes one snapshot when the fault starts and one when the agents have moved; the difference
// tells which part a re-login storm on this machine is bound by. Reads /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs'

const CLOCK_TICKS_PER_SECOND = 100

const ROLES: [role: string, matches: (commandLine: string) => boolean][] = [
  ['simulated agents', (line) => line.includes('agent-worker.ts')],
  ['login', (line) => line.includes('workloads/login/main.ts')],
  ['acd', (line) => line.includes('workloads/acd/main.ts')],
  ['redis', (line) => line.startsWith('redis-server')],
  ['operator', (line) => line.includes('operator/main.ts')],
  ['control plane', (line) => line.includes('kube-apiserver') || line.includes('etcd')],
  ['edge', (line) => line.includes('kamailio')],
  ['FreeSWITCH', (line) => line.includes('/bin/freeswitch')],
  ['cti', (line) => line.includes('workloads/cti/main.ts')],
  ['sipp', (line) => line.startsWith('sipp')],
]

interface ProcessCpu {
  parent: number
  role: string
  ms: number
}

function readProcesses(): Map<number, ProcessCpu> {
  const processes = new Map<number, ProcessCpu>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const line = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
      const role = ROLES.find(([, matches]) => matches(line))?.[0] ?? 'other'
      // Fields after the command: state, ppid, ... utime (12th), stime (13th), in clock ticks.
      const ticks = Number(fields[11]) + Number(fields[12])
      processes.set(Number(entry), { parent: Number(fields[1]), role, ms: (ticks * 1000) / CLOCK_TICKS_PER_SECOND })
    } catch {
      // gone meanwhile
    }
  }
  return processes
}

/** CPU milliseconds so far of each process this one started (and of this one, as 'benchmark'), by process id. */
export function cpuSnapshot(): Map<number, ProcessCpu> {
  const all = readProcesses()
  const ours = new Map<number, ProcessCpu>()
  for (const [pid, cpu] of all) {
    for (let ancestor = pid; ancestor > 1; ancestor = all.get(ancestor)?.parent ?? 0) {
      if (ancestor === process.pid) {
        ours.set(pid, pid === process.pid ? { ...cpu, role: 'benchmark' } : cpu)
        break
      }
    }
  }
  return ours
}

/** CPU milliseconds used between two snapshots, by role; processes that ended meanwhile are not counted. */
export function cpuByRole(before: Map<number, ProcessCpu>, after: Map<number, ProcessCpu>): Record<string, number> {
  const byRole: Record<string, number> = {}
  for (const [pid, cpu] of after) byRole[cpu.role] = (byRole[cpu.role] ?? 0) + cpu.ms - (before.get(pid)?.ms ?? 0)
  return Object.fromEntries(Object.entries(byRole).map(([role, ms]) => [role, Math.round(ms)]))
}
