import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'

export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface ManagedProcess {
  readonly name: string
  readonly pid: number
  readonly logPath: string
  /** Settles when the process has exited; never rejects. */
  readonly exited: Promise<ExitStatus>
  exitStatus(): ExitStatus | undefined
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`. */
  stop(graceMs?: number): Promise<ExitStatus>
}

export interface StartProcessOptions {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  /** stdout and stderr are appended here, so a restarted process keeps one log. */
  readonly logPath: string
}

const DEFAULT_GRACE_MS = 10_000

const liveChildren = new Set<ChildProcess>()
const dirsToRemoveOnExit = new Set<string>()

export function startProcess(options: StartProcessOptions): ManagedProcess {
  installExitCleanup()
  const logFd = openSync(options.logPath, 'a')
  let child: ChildProcess
  try {
    child = spawn(options.command, options.args, { stdio: ['ignore', logFd, logFd] })
  } finally {
    closeSync(logFd)
  }
  let status: ExitStatus | undefined
  const exited = new Promise<ExitStatus>((resolve) => {
    const settle = (exitStatus: ExitStatus): void => {
      liveChildren.delete(child)
      status ??= exitStatus
      resolve(status)
    }
    child.once('exit', (code, signal) => {
      settle({ code, signal })
    })
    // Spawn failures (for example ENOENT) emit 'error' and no 'exit'.
    child.once('error', () => {
      settle({ code: null, signal: null })
    })
  })
  if (child.pid === undefined) {
    throw new Error(`could not start ${options.name} (${options.command})`)
  }
  liveChildren.add(child)
  const pid = child.pid

  return {
    name: options.name,
    pid,
    logPath: options.logPath,
    exited,
    exitStatus: () => status,
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (status !== undefined) return status
      child.kill('SIGTERM')
      const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      try {
        return await exited
      } finally {
        clearTimeout(killTimer)
      }
    },
  }
}

/** Removed by the exit cleanup if the test process ends without stopping its control plane. */
export function removeDirOnExit(dir: string): void {
  installExitCleanup()
  dirsToRemoveOnExit.add(dir)
}

export function forgetDirOnExit(dir: string): void {
  dirsToRemoveOnExit.delete(dir)
}

export async function logTail(logPath: string, lines = 40): Promise<string> {
  const maxBytes = 64 * 1024
  try {
    const file = await open(logPath, 'r')
    try {
      const { size } = await file.stat()
      const length = Math.min(size, maxBytes)
      const buffer = Buffer.alloc(length)
      await file.read(buffer, 0, length, size - length)
      return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } finally {
      await file.close()
    }
  } catch (error) {
    return `(could not read ${logPath}: ${(error as Error).message})`
  }
}

let exitCleanupInstalled = false

function installExitCleanup(): void {
  if (exitCleanupInstalled) return
  exitCleanupInstalled = true
  process.once('exit', killEverythingNow)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killEverythingNow()
      // Re-raise so the default action (exit by this signal) still happens, unless someone else
      // handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }
    process.once(signal, onSignal)
  }
}

function killEverythingNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL')
  liveChildren.clear()
  for (const dir of dirsToRemoveOnExit) {
    try {
      rmSync(dir, { recursive: true, force: true })
    } catch {
      // Best effort while the process is going away.
    }
  }
  dirsToRemoveOnExit.clear()
}
