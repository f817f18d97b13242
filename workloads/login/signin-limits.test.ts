import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { Agent, request } from 'undici'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import type { SignInLimits } from './attempt-limits.ts'
import type { LoginService } from './server.ts'
import { credentials, projectWorld, startTestLogin, worldObjects } from './testing/world.ts'

// Short account window, so that the test can wait for it to end; the refusals inside it come well before.
const limits: SignInLimits = { failuresPerAccount: 3, accountWindowMs: 4_000, attemptsPerAddress: 4, addressWindowMs: 60_000 }

interface Answer {
  status: number
  retryAfter: string | undefined
  body: Record<string, unknown>
}

describe('password sign-in limits, on real Redis over real HTTP', () => {
  const objects = worldObjects({ extraAgents: 6 })
  const desktops = new Map<string, Agent>()
  let server: TestRedis
  let redis: Redis
  let login: LoginService

  /** POSTs from a desktop with its own loopback address (127.1.0.x), as the login service sees real desktops. */
  async function postFrom(address: string, path: string, body: unknown): Promise<Answer> {
    let dispatcher = desktops.get(address)
    if (dispatcher === undefined) {
      dispatcher = new Agent({ localAddress: address })
      desktops.set(address, dispatcher)
    }
    const response = await request(`${login.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
    })
    const retryAfter = response.headers['retry-after']
    return {
      status: response.statusCode,
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
      body: (await response.body.json()) as Record<string, unknown>,
    }
  }

  const zhangWei = credentials('zhang.wei@travel.example', 'SH-PC-0001')
  const wrong = { ...zhangWei, password: 'guess' }
  const leases = () => redis.hlen('login:shanghai:pool:general:owners')
  /** Refuses zhang.wei's sign-in, checking that it opened no session and leased no operator ID. */
  const refusedFrom = async (address: string): Promise<Answer> => {
    const leasesBefore = await leases()
    const answer = await postFrom(address, '/v1/signin', zhangWei)
    assert.equal(answer.status, 429, JSON.stringify(answer.body))
    assert.equal(answer.body.error, 'too-many-attempts')
    assert.equal(await redis.exists('login:shanghai:session:A10001'), 0, 'a refused sign-in opened a session')
    assert.equal(await leases(), leasesBefore, 'a refused sign-in leased an operator ID')
    return answer
  }

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url)
    login = await startTestLogin(server.url, 'shanghai', objects, { signInLimits: limits })
  })
  after(async () => {
    await login.close()
    for (const desktop of desktops.values()) await desktop.close()
    redis.disconnect()
    await server.stop()
  })
  beforeEach(async () => {
    await redis.flushall()
    await projectWorld(redis, objects)
  })

  it('refuses an account after its wrong passwords, from any address, even with the right password, until its window ends', async () => {
    for (let n = 1; n <= limits.failuresPerAccount; n++) {
      const answer = await postFrom(`127.1.0.${n}`, '/v1/signin', wrong)
      assert.equal(answer.body.error, 'wrong-password', `guess ${n}`)
    }
    const refused = await refusedFrom('127.1.0.9')
    assert.equal(refused.body.limit, 'account')
    assert.match(String(refused.body.message), /^too many wrong passwords for account zhang\.wei@travel\.example \(3 within 4 s\)/)
    const retryAfter = Number(refused.retryAfter)
    assert.equal(retryAfter, refused.body.retryAfterSeconds, 'the Retry-After header and the body agree')
    assert.ok(retryAfter >= 1 && retryAfter <= limits.accountWindowMs / 1000, `Retry-After ${refused.retryAfter}`)

    await waitFor(
      'the account window to end',
      async () => (await redis.pttl('login:shanghai:signin-attempts:account:zhang.wei@travel.example')) < 0,
    )
    const served = await postFrom('127.1.0.9', '/v1/signin', zhangWei)
    assert.equal(served.status, 200, JSON.stringify(served.body))
    const metrics = await (await fetch(`${login.url}/metrics`)).text()
    assert.match(metrics, /login_signin_failures_total\{reason="too-many-attempts",site="shanghai"\} 1/)
  })

  it('refuses an address past its attempts, whatever the account, while other addresses and token re-logins from it go on', async () => {
    const tokens: string[] = []
    for (let n = 100; n < 100 + limits.attemptsPerAddress; n++) {
      const answer = await postFrom('127.1.1.1', '/v1/signin', credentials(`agent${n}@travel.example`, `PC-${n}`))
      assert.equal(answer.status, 200, JSON.stringify(answer.body))
      tokens.push(String(answer.body.token))
    }
    const refused = await refusedFrom('127.1.1.1')
    assert.equal(refused.body.limit, 'address')
    assert.match(
      String(refused.body.message),
      /^too many password sign-ins from 127\.1\.1\.1 \(more than 4 within 1 min\): try again in \d+ s$/,
    )
    assert.equal(Number(refused.retryAfter), refused.body.retryAfterSeconds)

    const elsewhere = await postFrom('127.1.1.2', '/v1/signin', zhangWei)
    assert.equal(elsewhere.status, 200, 'the same account from another address')
    for (const token of tokens) {
      const relogin = await postFrom('127.1.1.1', '/v1/relogin', { token })
      assert.equal(relogin.status, 200, `a token re-login is never limited: ${JSON.stringify(relogin.body)}`)
    }
  })

  it('counts only wrong passwords against an account, and a sign-in clears them', async () => {
    for (let n = 0; n <= limits.failuresPerAccount; n++) {
      const answer = await postFrom(`127.1.2.${n + 1}`, '/v1/signin', { ...zhangWei, pcHostName: 'NO-SUCH-PC' })
      assert.equal(answer.body.error, 'unknown-pc')
    }
    for (let round = 0; round < 2; round++) {
      for (let n = 1; n < limits.failuresPerAccount; n++) {
        assert.equal((await postFrom(`127.1.3.${n}`, '/v1/signin', wrong)).body.error, 'wrong-password')
      }
      const served = await postFrom('127.1.3.9', '/v1/signin', zhangWei)
      assert.equal(served.status, 200, `round ${round}: ${JSON.stringify(served.body)}`)
    }
  })

  it('keeps the counts in Redis: another replica, or this one restarted, refuses the same', async () => {
    for (let n = 1; n <= limits.failuresPerAccount; n++) await postFrom(`127.1.4.${n}`, '/v1/signin', wrong)
    const port = Number(new URL(login.url).port)
    await login.close()
    login = await startTestLogin(server.url, 'shanghai', objects, { signInLimits: limits, port })
    assert.equal((await refusedFrom('127.1.4.9')).body.limit, 'account')
  })
})
