// A site's login service as replica processes sharing one port (SO_REUSEPORT): every replica listens
// on that port, the port answers, and kill() ends every replica.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startRedis, type TestRedis } from '../../workloads/lib/testing/redis.ts'
import { waitFor } from '../../workloads/lib/testing/wait.ts'
import { randomSecret } from './fleet-data.ts'
import { startLoginProcess } from './login-process.ts'

const REPLICAS = 3
const TCP_LISTEN = '0A'

/** Listening TCP sockets on the port (each replica has its own with SO_REUSEPORT), from /proc/net/tcp. */
async function listenersOn(port: number): Promise<number> {
  const table = await readFile('/proc/net/tcp', 'utf8')
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  return table
    .split('\n')
    .slice(1)
    .filter((line) => {
      const [, local, , state] = line.trim().split(/\s+/)
      return local?.endsWith(`:${hexPort}`) === true && state === TCP_LISTEN
    }).length
}

const running = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe(`a login service of ${REPLICAS} replicas on one port`, () => {
  let redis: TestRedis
  let dir: string

  before(async () => {
    redis = await startRedis()
    dir = await mkdtemp(join(tmpdir(), 'login-replicas-'))
    await writeFile(join(dir, 'token-secret'), randomSecret(), { mode: 0o600 })
    await writeFile(join(dir, 'identity.json'), JSON.stringify({ accounts: [] }), { mode: 0o600 })
  })
  after(async () => {
    await redis.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('listens with every replica on the one port, answers there, and kill() ends them all', async () => {
    const login = await startLoginProcess({
      site: 'shanghai',
      redisUrl: redis.url,
      tokenSecretFile: join(dir, 'token-secret'),
      identityFile: join(dir, 'identity.json'),
      replicas: REPLICAS,
    })
    try {
      assert.equal(new Set(login.pids).size, REPLICAS)
      assert.equal(login.pid, login.pids[0])
      assert.equal(await listenersOn(login.port), REPLICAS)
      for (let request = 0; request < 10; request++) {
        const response = await fetch(`${login.url}/readyz`, { headers: { connection: 'close' } })
        assert.equal(response.status, 200)
      }
    } finally {
      await login.kill()
    }
    assert.ok(
      login.pids.every((pid) => !running(pid)),
      'every replica ended',
    )
    await waitFor('the port released', async () => (await listenersOn(login.port)) === 0)
  })

  it('refuses a replica count that is not a whole number of at least 1', async () => {
    const options = {
      site: 'shanghai',
      redisUrl: redis.url,
      tokenSecretFile: join(dir, 'token-secret'),
      identityFile: join(dir, 'identity.json'),
    }
    await assert.rejects(startLoginProcess({ ...options, replicas: 0 }), /replicas must be a whole number of at least 1, got 0/)
  })
})
