import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { passwordSha256 } from '../lib/auth/identity.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import { loginContract } from './contract.ts'
import { credentials, PASSWORD, post, projectWorld, worldObjects } from './testing/world.ts'

const REDIS_PASSWORD = 'the site redis password'

describe('login service as a process (main.ts, settings from the environment as its contract builds it)', () => {
  const objects = worldObjects()
  let server: TestRedis
  let redis: Redis
  let dir: string
  let child: ChildProcess
  let url: string

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
    redis.on('error', () => undefined) // the test stops Redis on purpose
    await projectWorld(redis, objects)
    // As a Managed Redis runs: with a password, which the service gets apart from the URL.
    await redis.config('SET', 'requirepass', REDIS_PASSWORD)
    await redis.auth(REDIS_PASSWORD)
    dir = await mkdtemp(join(tmpdir(), 'cc-login-'))
    const accounts = objects.seats.map((seat) => ({ account: seat.spec.account, passwordSha256: passwordSha256(PASSWORD) }))
    await writeFile(join(dir, 'identity.json'), JSON.stringify({ accounts }))
    await writeFile(join(dir, 'secret'), 'a-token-secret-of-at-least-32-bytes!!')
    child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'main.ts')], {
      env: {
        PATH: process.env.PATH,
        ...loginContract.env({
          site: 'shanghai',
          redisUrl: server.url,
          redisPassword: REDIS_PASSWORD,
          host: '127.0.0.1',
          port: 0,
          tokenSecretFile: join(dir, 'secret'),
          identityFile: join(dir, 'identity.json'),
          logLevel: 'warn',
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    assert.ok(child.stdout)
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string]
    url = (JSON.parse(line) as { listening: string }).listening
  })
  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    redis.disconnect()
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves sign-in, health, readiness and metrics, reports Redis loss as not ready, and stops on SIGTERM', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal((await fetch(`${url}/healthz`)).status, 200)
    assert.equal((await fetch(`${url}/readyz`)).status, 200)
    const signedIn = await post(`${url}/v1/signin`, credentials('zhang.wei@travel.example', 'SH-PC-0001'))
    assert.equal(signedIn.status, 200)
    assert.equal(signedIn.body.extension, '8001')
    assert.equal((await post(`${url}/v1/signin`, { ...credentials('zhang.wei@travel.example', 'SH-PC-0001'), password: 'no' })).status, 401)

    const metrics = await (await fetch(`${url}/metrics`)).text()
    assert.match(metrics, /login_signins_total\{kind="password",site="shanghai"\} 1/)
    assert.match(metrics, /login_signin_failures_total\{reason="wrong-password",site="shanghai"\} 1/)
    assert.match(metrics, /login_active_sessions\{site="shanghai"\} 1/)
    assert.match(metrics, /login_lease_pool_used\{pool="general",site="shanghai"\} 1/)
    assert.match(metrics, /login_lease_pool_size\{pool="general",site="shanghai"\} 10/)
    assert.doesNotMatch(metrics, new RegExp(String(signedIn.body.token).slice(0, 20)))

    await server.stop()
    await waitFor('readiness to fail without Redis', async () => (await fetch(`${url}/readyz`)).status === 503)

    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = (await exited) as [number | null]
    assert.equal(code, 0)
  })
})
