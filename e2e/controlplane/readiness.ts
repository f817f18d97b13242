import { request } from 'node:https'
import { setTimeout as sleep } from 'node:timers/promises'
import { logTail, type ManagedProcess } from './processes.ts'

export interface ClientTls {
  readonly ca: string
  readonly cert?: string
  readonly key?: string
}

export interface HttpResult {
  readonly status: number
  readonly body: string
}

export class ProcessNotReadyError extends Error {
  readonly logTail: string

  constructor(message: string, tail: string) {
    super(`${message}\n--- last lines of the log ---\n${tail}`)
    this.name = 'ProcessNotReadyError'
    this.logTail = tail
  }
}

/**
 * Polls `isReady` until it returns true. Fails fast if the process exits, and after `timeoutMs`
 * otherwise; either way the error carries the tail of the process's log.
 */
export async function waitUntilReady(
  managed: ManagedProcess,
  isReady: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const exit = managed.exitStatus()
    if (exit !== undefined) {
      const how = exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`
      throw new ProcessNotReadyError(
        `${managed.name} exited with ${how} before becoming ready (log: ${managed.logPath})`,
        await logTail(managed.logPath),
      )
    }
    let lastProblem: string
    try {
      if (await isReady()) return
      lastProblem = 'not ready'
    } catch (error) {
      lastProblem = (error as Error).message
    }
    if (Date.now() > deadline) {
      throw new ProcessNotReadyError(
        `${managed.name} was not ready after ${timeoutMs / 1000} s (last check: ${lastProblem}; log: ${managed.logPath})`,
        await logTail(managed.logPath),
      )
    }
    await sleep(intervalMs)
  }
}

export function httpsGet(url: string, tls: ClientTls, timeoutMs = 5_000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ...tls, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body })
      })
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) })
  await response.body?.cancel()
  return response.ok
}
