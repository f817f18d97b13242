// The ACD as a process (main.ts), its environment built with its contract (contract.ts) as the operator
// and the e2e harness build it: a Redis that requires a password, readiness that follows Redis and the
// SkillGroups, and a start-up refusal that names the variable.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { projectionKeys } from '../lib/keys.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { acdContract } from './contract.ts'

const MAIN = join(import.meta.dirname, 'main.ts')
const PASSWORD = 'a/password:with%odd@characters'

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await check()) return
    } catch {
      // not yet
    }
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`)
    await sleep(100)
  }
}

describe('ACD as a process, configured through its contract', () => {
  let server: TestRedis
  let admin: Redis

  before(async () => {
    server = await startRedis()
    admin = new Redis(server.url, { maxRetriesPerRequest: 1 })
    admin.on('error', () => undefined) // the test stops Redis on purpose
    await admin.set(projectionKeys.skillGroup('hotel'), JSON.stringify({ strategy: 'LongestIdle', name: 'hotel', generation: 1 }))
    await admin.sadd(projectionKeys.skillGroupIndex(), 'hotel')
    await admin.config('SET', 'requirepass', PASSWORD)
    await admin.auth(PASSWORD)
  })
  after(async () => {
    admin.disconnect()
    await server.stop()
  })

  it('connects with REDIS_PASSWORD, is ready once its SkillGroups are loaded, and not ready without Redis', async () => {
    const port = await freePort()
    const env = acdContract.env({ site: 'shanghai', redisUrl: server.url, redisPassword: PASSWORD, host: '127.0.0.1', port })
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    const exited = once(child, 'exit')
    try {
      const url = `http://127.0.0.1:${port}`
      await eventually('the ACD to be ready', async () => (await readyz(url)).status === 200)
      assert.deepEqual((await readyz(url)).body, { status: 'ready', skillGroups: 1 })
      assert.equal((await fetch(`${url}/healthz`)).status, 200)

      await server.stop()
      await eventually('readiness to fail without Redis', async () => (await readyz(url)).status === 503)
      assert.match(String((await readyz(url)).body.message), /Redis did not answer/)
      assert.equal((await fetch(`${url}/healthz`)).status, 200, 'alive all the same: a restart would not bring Redis back')
    } finally {
      child.kill('SIGKILL') // its Redis is gone: a clean stop would wait for it
      await exited
    }
  })

  it('refuses to start without ACD_SITE or with a malformed port, naming the variable', async () => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
      env: { PATH: process.env.PATH, ACD_PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number | null]
    assert.equal(code, 2)
    assert.match(stderr, /ACD_SITE is required/)
    assert.match(stderr, /ACD_PORT must be a port number \(0 to 65535\), got "eighty"/)
  })
})
