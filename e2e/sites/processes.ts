// The processes of a harness, found and killed by id: each helper process runs in a temp dir of its own,
// so the processes working in that dir, or whose command line names it, are exactly the ones we started
// (Kamailio forks workers, which share both). Reads /proc (Linux).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

function livePids(matches: (pid: string) => boolean): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (matches(entry) && !isZombie(Number(entry))) pids.push(Number(entry))
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids
}

/** Ids of the live processes whose command line has an argument containing `fragment` (e.g. a unique temp dir). */
export const pidsWithArgument = (fragment: string): number[] =>
  livePids((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg.includes(fragment)),
  )

/** Ids of the live processes whose working directory is `dir` (for programs that rewrite their command line, like Redis). */
export const pidsWorkingIn = (dir: string): number[] => livePids((pid) => readlinkSync(`/proc/${pid}/cwd`) === dir)

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

/** SIGKILLs every given process at once (no await between them). */
export function killNow(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

/** Resolves once none of the processes runs any more (zombies count as gone). */
export async function waitGone(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (pids.some((pid) => !isZombie(pid))) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} still run ${timeoutMs} ms after SIGKILL`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const exitKillers = new Set<() => void>()
let hooked = false

/** Runs `kill` (synchronous) if this process exits before `release` is called: detached helpers would outlive it. */
export function killOnExit(kill: () => void): () => void {
  if (!hooked) {
    hooked = true
    process.once('exit', () => {
      for (const each of exitKillers) each()
    })
  }
  exitKillers.add(kill)
  return () => exitKillers.delete(kill)
}
