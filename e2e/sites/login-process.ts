// The login service (workloads/login/main.ts) as a process on loopback, settings from the environment.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

const MAIN = fileURLToPath(new URL('../../workloads/login/main.ts', import.meta.url))
const START_TIMEOUT_MS = 15_000

export interface LoginProcessOptions {
  site: string
  redisUrl: string
  tokenSecretFile: string
  identityFile: string
  /** How long a session may stay silent before the sweeper ends it. */
  sessionTimeoutMs?: number
}

export interface LoginProcess {
  url: string
  port: number
  pid: number
  /** SIGKILLs the process and waits for its exit. */
  kill(): Promise<void>
}

export async function startLoginProcess(options: LoginProcessOptions): Promise<LoginProcess> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    env: {
      PATH: process.env.PATH,
      LOGIN_SITE: options.site,
      LOGIN_REDIS_URL: options.redisUrl,
      LOGIN_HOST: '127.0.0.1',
      LOGIN_PORT: '0',
      LOGIN_TOKEN_SECRET_FILE: options.tokenSecretFile,
      LOGIN_IDENTITY_FILE: options.identityFile,
      LOGIN_SESSION_TIMEOUT_MS: String(options.sessionTimeoutMs ?? 15_000),
      LOGIN_SWEEP_INTERVAL_MS: '500',
      LOGIN_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  const lines = createInterface({ input: child.stdout })
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS)
  try {
    const first = await Promise.race([
      once(lines, 'line') as Promise<[string]>,
      exited.then(() => Promise.reject(new Error(`login service of ${options.site} exited while starting`))),
    ])
    const url = (JSON.parse(first[0]) as { listening: string }).listening
    child.stdout.resume()
    if (child.pid === undefined) throw new Error(`login service of ${options.site} has no process id`)
    return { url, port: Number(new URL(url).port), pid: child.pid, kill }
  } catch (error) {
    await kill()
    throw error
  } finally {
    clearTimeout(timer)
  }
}
