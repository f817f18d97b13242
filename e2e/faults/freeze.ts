// Freezing processes instead of killing them: SIGSTOP leaves every socket open, so whoever talks to a
// frozen process sees timeouts, not refused connections (the kernel still completes TCP handshakes into
// the listen backlog and queues datagrams). A site's processes are found by the ports it serves on,
// through /proc: the sockets listening there, every process holding one (Kamailio's forked workers
// inherit them), and their descendants. Linux only.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { killOnExit } from '../sites/processes.ts'

export interface Endpoint {
  protocol: 'tcp' | 'udp'
  port: number
}

/** The inodes of the sockets bound to these local ports (TCP: listening ones only). */
function socketInodes(endpoints: readonly Endpoint[]): Set<string> {
  const inodes = new Set<string>()
  for (const protocol of ['tcp', 'udp'] as const) {
    const ports = new Set(endpoints.filter((e) => e.protocol === protocol).map((e) => e.port))
    if (ports.size === 0) continue
    for (const table of [`/proc/net/${protocol}`, `/proc/net/${protocol}6`]) {
      let text: string
      try {
        text = readFileSync(table, 'utf8')
      } catch {
        continue
      }
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/)
        const local = fields[1]
        const state = fields[3]
        const inode = fields[9]
        if (local === undefined || inode === undefined || inode === '0') continue
        const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16)
        if (!ports.has(port)) continue
        if (protocol === 'tcp' && state !== '0A') continue // LISTEN
        inodes.add(inode)
      }
    }
  }
  return inodes
}

const numericEntries = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((entry) => /^\d+$/.test(entry))
  } catch {
    return []
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[1])
  } catch {
    return undefined
  }
}

/** The processes serving these endpoints, and their descendants; never this process. */
export function pidsServing(endpoints: readonly Endpoint[]): number[] {
  const inodes = socketInodes(endpoints)
  const found = new Set<number>()
  const all = numericEntries('/proc').map(Number)
  for (const pid of all) {
    if (pid === process.pid) continue
    for (const fd of numericEntries(`/proc/${pid}/fd`)) {
      let target: string
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        continue
      }
      const match = /^socket:\[(\d+)\]$/.exec(target)
      if (match?.[1] !== undefined && inodes.has(match[1])) {
        found.add(pid)
        break
      }
    }
  }
  // Descendants (e.g. a worker that closed the inherited socket), to a fixed point.
  for (let grew = true; grew;) {
    grew = false
    for (const pid of all) {
      if (found.has(pid) || pid === process.pid) continue
      const parent = parentOf(pid)
      if (parent !== undefined && found.has(parent)) {
        found.add(pid)
        grew = true
      }
    }
  }
  return [...found].sort((a, b) => a - b)
}

/** Sends the signal to every process; returns the ones that were there to get it. */
export function signalAll(pids: readonly number[], signal: 'SIGSTOP' | 'SIGCONT'): number[] {
  const reached: number[] = []
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
      reached.push(pid)
    } catch {
      // gone meanwhile
    }
  }
  return reached
}

/** The process's state letter from /proc (T: stopped), or undefined once it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  } catch {
    return undefined
  }
}

/**
 * Runs `thaw` if the test process exits while the processes are frozen: a stopped process ignores
 * SIGTERM, and the harness's SIGKILL-on-exit would still end it, but a frozen Redis or apiserver left
 * behind by a crashed test would hold its port for whoever comes next.
 */
export const thawOnExit = (thaw: () => void): (() => void) => killOnExit(thaw)
