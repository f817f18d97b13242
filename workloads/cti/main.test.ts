// The CTI bridge as a process (main.ts), its environment built with its contract (contract.ts) as the
// operator builds it: the outbound-socket listener, and the HTTP server's health, readiness (which
// follows the ACD) and metrics. The real ACD runs on a real redis-server; no FreeSWITCH is involved.
import assert from 'node:assert/strict'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { startAcd, type RunningAcd } from '../acd/service.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import { ctiContract } from './contract.ts'

const MAIN = join(import.meta.dirname, 'main.ts')
const REDIS_PASSWORD = 'the site redis password'

function start(env: Record<string, string>): {
  child: ChildProcessByStdio<null, Readable, Readable>
  lines: AsyncIterableIterator<string>
  stderr: () => string
} {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), stderr: () => stderr }
}

async function readyz(url: string): Promise<{ status: number; message?: string }> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) })
  const body = (await response.json()) as { message?: string }
  return { status: response.status, ...(body.message ? { message: body.message } : {}) }
}

describe('CTI bridge as a process, configured through its contract', () => {
  let redis: TestRedis
  let acd: RunningAcd | undefined

  before(async () => {
    redis = await startRedis()
    acd = await startAcd({ site: 'shanghai', redisUrl: redis.url, host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await acd?.close()
    await redis.stop()
  })

  it('listens for calls on CTI_PORT, serves health and metrics on CTI_HTTP_PORT, and is ready only while its ACD answers', async () => {
    assert.ok(acd)
    // The bridge writes call records to Redis with the password, as at a Managed site.
    const admin = new Redis(redis.url)
    await admin.config('SET', 'requirepass', REDIS_PASSWORD)
    admin.disconnect()
    const { child, lines } = start(
      ctiContract.env({
        site: 'shanghai',
        acdUrl: acd.url,
        redisUrl: redis.url,
        redisPassword: REDIS_PASSWORD,
        host: '127.0.0.1',
        port: 0,
        httpPort: 0,
      }),
    )
    try {
      let socketPort = 0
      let url = ''
      for await (const line of lines) {
        const { msg } = JSON.parse(line) as { msg: string }
        socketPort ||= Number(/listening on 127\.0\.0\.1:(\d+)/.exec(msg)?.[1] ?? 0)
        url ||= /at (http:\/\/\S+)$/.exec(msg)?.[1] ?? ''
        if (url !== '') break
      }
      assert.ok(socketPort > 0 && url !== '')
      // Something listens where FreeSWITCH's socket connects (a connection that closes at once is no call).
      const socket = connect(socketPort, '127.0.0.1')
      await once(socket, 'connect')
      socket.destroy()

      assert.equal((await fetch(`${url}/healthz`)).status, 200)
      assert.deepEqual(await readyz(url), { status: 200 })
      const metrics = await (await fetch(`${url}/metrics`)).text()
      assert.match(metrics, /cti_calls_in_progress\{site="shanghai"\} 0/)

      await acd.close()
      acd = undefined
      await waitFor('readiness to fail without the ACD', async () => (await readyz(url)).status === 503)
      assert.match((await readyz(url)).message ?? '', /the ACD at http:\/\/127\.0\.0\.1:\d+\/healthz does not answer/)

      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const [code] = (await exited) as [number | null]
      assert.equal(code, 0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('refuses to start without CTI_SITE, naming the variable', async () => {
    const { child, stderr } = start({ CTI_PORT: '99999' })
    const [code] = (await once(child, 'exit')) as [number | null]
    assert.equal(code, 2)
    assert.match(stderr(), /CTI_SITE is required/)
    assert.match(stderr(), /CTI_PORT must be a port number \(0 to 65535\), got "99999"/)
  })
})
