import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createDrillAgent, MAX_CUT_SECONDS, type ComponentControl, type NetworkControl } from './agent.ts'
import { DrillAgentClient, DrillAgentError } from './client.ts'

const TOKEN = 'drill-token-0123456789abcdef'

/** A component that is a flag plus a log of the calls, so a test sees what the agent asked for. */
function fakeComponent(calls: string[], name: string, failStart = false): ComponentControl & { running: () => boolean } {
  let running = true
  return {
    running: () => running,
    stop: () => {
      calls.push(`stop ${name}`)
      running = false
      return Promise.resolve()
    },
    start: () => {
      calls.push(`start ${name}`)
      if (failStart) return Promise.reject(new Error('port 5060 in use'))
      running = true
      return Promise.resolve()
    },
  }
}

describe('drill agent', () => {
  let app: FastifyInstance
  let url: string
  const calls: string[] = []
  const edge = fakeComponent(calls, 'edge')
  const login = fakeComponent(calls, 'login', true)

  before(async () => {
    app = createDrillAgent({ token: TOKEN, components: { edge, login } })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(() => app.close())

  const post = (body: unknown, token = TOKEN) =>
    fetch(`${url}/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('refuses a request without the right bearer token, and does nothing', async () => {
    const before = calls.length
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }, { authorization: 'Bearer ' }]) {
      const response = await fetch(`${url}/v1/faults`, { headers })
      assert.equal(response.status, 401)
      assert.match(((await response.json()) as { message: string }).message, /bearer token/)
    }
    assert.equal((await post({ component: 'edge', action: 'stop' }, 'wrong-token-0123456789')).status, 401)
    assert.equal(calls.length, before)
  })

  it('answers /healthz without a token', async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200)
  })

  it('stops and starts a component, listing the injected fault meanwhile; both idempotent', async () => {
    const client = new DrillAgentClient(url, TOKEN)
    assert.deepEqual(await client.faults(), { components: ['edge', 'login'], network: { offered: false }, faults: [] })
    const first = await client.fault('edge', 'stop')
    assert.equal(first.applied, true)
    assert.equal(edge.running(), false)
    const again = await client.fault('edge', 'stop')
    assert.deepEqual(again.faults, first.faults, 'a second stop keeps the first fault and its time')
    assert.equal(first.faults[0]?.component, 'edge')
    await client.fault('edge', 'start')
    await client.fault('edge', 'start')
    assert.equal(edge.running(), true)
    assert.deepEqual((await client.faults()).faults, [])
    assert.deepEqual(calls.slice(-4), ['stop edge', 'stop edge', 'start edge', 'start edge'])
  })

  it('answers 404 for a component the site does not run; the client reports it as not applied', async () => {
    const response = await post({ component: 'cti', action: 'stop' })
    assert.equal(response.status, 404)
    assert.match(((await response.json()) as { message: string }).message, /runs no cti/)
    assert.deepEqual(await new DrillAgentClient(url, TOKEN).fault('cti', 'stop'), { applied: false, faults: [] })
  })

  it('refuses a malformed body with a message naming the field', async () => {
    const unknown = await post({ component: 'redis', action: 'stop' })
    assert.equal(unknown.status, 400)
    assert.match(((await unknown.json()) as { message: string }).message, /body\.component must be equal to one of the allowed values/)
    const missing = await post({ component: 'edge' })
    assert.equal(missing.status, 400)
    assert.match(((await missing.json()) as { message: string }).message, /action/)
  })

  it('answers 502 with the reason when a component fails to start, and keeps the fault listed', async () => {
    const client = new DrillAgentClient(url, TOKEN)
    await client.fault('login', 'stop')
    await assert.rejects(client.fault('login', 'start'), (error: unknown) => {
      assert.ok(error instanceof DrillAgentError)
      assert.equal(error.status, 502)
      assert.match(error.message, /start login failed: port 5060 in use/)
      assert.doesNotMatch(error.message, new RegExp(TOKEN))
      return true
    })
    assert.deepEqual(
      (await client.faults()).faults.map((f) => f.component),
      ['login'],
    )
  })

  it('never runs a stop and a start of one component at the same time', async () => {
    const order: string[] = []
    let release = () => {}
    const slow: ComponentControl = {
      stop: () => {
        order.push('stop begins')
        return new Promise((resolve) => {
          release = () => {
            order.push('stop ends')
            resolve()
          }
        })
      },
      start: () => {
        order.push('start')
        return Promise.resolve()
      },
    }
    const agent = createDrillAgent({ token: TOKEN, components: { softswitch: slow } })
    const base = await agent.listen({ host: '127.0.0.1', port: 0 })
    try {
      const client = new DrillAgentClient(base, TOKEN)
      const stopping = client.fault('softswitch', 'stop')
      while (order.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      const starting = client.fault('softswitch', 'start')
      await new Promise((resolve) => setTimeout(resolve, 50))
      release()
      await Promise.all([stopping, starting])
      assert.deepEqual(order, ['stop begins', 'stop ends', 'start'])
    } finally {
      await agent.close()
    }
  })

  it('answers 404 for the network fault when it offers none; the client reports it as not applied', async () => {
    const response = await fetch(`${url}/v1/network`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'cut', healAfterSeconds: 30 }),
    })
    assert.equal(response.status, 404)
    assert.match(((await response.json()) as { message: string }).message, /offers no network fault/)
    assert.deepEqual(await new DrillAgentClient(url, TOKEN).network('heal'), { applied: false })
  })

  it('refuses a token too short to be a secret', () => {
    assert.throws(() => createDrillAgent({ token: 'short', components: {} }), /at least 16 characters/)
  })
})

/** A network that is a flag plus a log of the calls; heal fails while failHeal says so. */
function fakeNetwork(calls: string[], failHeal = { count: 0 }): NetworkControl & { cut: () => Promise<void>; isCut: () => boolean } {
  let cut = false
  return {
    isCut: () => cut,
    cut: () => {
      calls.push('cut')
      cut = true
      return Promise.resolve()
    },
    heal: () => {
      calls.push('heal')
      if (failHeal.count > 0) {
        failHeal.count--
        return Promise.reject(new Error('iptables: resource busy'))
      }
      cut = false
      return Promise.resolve()
    },
  }
}

describe('drill agent network fault', () => {
  const start = async (network: NetworkControl, networkRetryMs?: number) => {
    const app = createDrillAgent({ token: TOKEN, components: {}, network, ...(networkRetryMs === undefined ? {} : { networkRetryMs }) })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    return { app, client: new DrillAgentClient(url, TOKEN), url }
  }
  const until = async (what: string, ok: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  it('cuts and heals, listing the cut meanwhile; a second cut keeps its start and moves its deadline; both idempotent', async () => {
    const calls: string[] = []
    const network = fakeNetwork(calls)
    const { app, client } = await start(network)
    try {
      assert.deepEqual(await client.faults(), { components: [], network: { offered: true }, faults: [] })
      const first = await client.network('cut', 600)
      assert.equal(first.applied, true)
      assert.equal(network.isCut(), true)
      const firstCut = first.cut
      assert.ok(firstCut, 'the cut is listed')
      assert.ok(Date.parse(firstCut.healsAt) - Date.parse(firstCut.since) >= 599_000, 'heals by itself 600 s later')
      const again = await client.network('cut', 1200)
      assert.ok(again.cut, 'still listed')
      assert.equal(again.cut.since, firstCut.since, 'a second cut keeps the first time')
      assert.ok(Date.parse(again.cut.healsAt) > Date.parse(firstCut.healsAt), 'and refreshes the deadline')
      assert.deepEqual((await client.faults()).network, { offered: true, cut: again.cut })
      await client.network('heal')
      await client.network('heal')
      assert.equal(network.isCut(), false)
      assert.deepEqual((await client.faults()).network, { offered: true })
      assert.deepEqual(calls, ['cut', 'cut', 'heal', 'heal'])
    } finally {
      await app.close()
    }
  })

  it('refuses a cut without healAfterSeconds, or a caller without the token, and does nothing', async () => {
    const calls: string[] = []
    const { app, url } = await start(fakeNetwork(calls))
    try {
      const post = (body: unknown, token = TOKEN) =>
        fetch(`${url}/v1/network`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      const noDeadline = await post({ action: 'cut' })
      assert.equal(noDeadline.status, 400)
      assert.match(((await noDeadline.json()) as { message: string }).message, /body\.healAfterSeconds is required to cut/)
      const tooLong = await post({ action: 'cut', healAfterSeconds: MAX_CUT_SECONDS + 1 })
      assert.equal(tooLong.status, 400)
      assert.match(((await tooLong.json()) as { message: string }).message, /body\.healAfterSeconds must be <= 7200/)
      assert.equal((await post({ action: 'split' })).status, 400)
      assert.equal((await post({ action: 'cut', healAfterSeconds: 30 }, 'wrong-token-0123456789')).status, 401)
      assert.deepEqual(calls, [])
    } finally {
      await app.close()
    }
  })

  it('heals by itself at the deadline when nobody asks (the operator may be cut off too)', async () => {
    const calls: string[] = []
    const network = fakeNetwork(calls)
    const { app, client } = await start(network)
    try {
      await client.network('cut', 1)
      assert.equal(network.isCut(), true)
      await until('healed at the deadline', () => !network.isCut())
      assert.deepEqual(calls, ['cut', 'heal'])
      assert.deepEqual((await client.faults()).network, { offered: true })
    } finally {
      await app.close()
    }
  })

  it('answers 502 when a heal fails, keeps the cut listed, and tries the heal again until it works', async () => {
    const calls: string[] = []
    const failHeal = { count: 2 }
    const network = fakeNetwork(calls, failHeal)
    const { app, client } = await start(network, 50)
    try {
      await client.network('cut', 600)
      await assert.rejects(client.network('heal'), (error: unknown) => {
        assert.ok(error instanceof DrillAgentError)
        assert.equal(error.status, 502)
        assert.match(error.message, /heal network failed: iptables: resource busy/)
        assert.doesNotMatch(error.message, new RegExp(TOKEN))
        return true
      })
      assert.ok((await client.faults()).network.cut, 'still cut')
      await until('healed by the retries', () => !network.isCut())
      assert.deepEqual(calls, ['cut', 'heal', 'heal', 'heal'])
    } finally {
      await app.close()
    }
  })

  it('heals a cut network when it is closed, and only then', async () => {
    const calls: string[] = []
    const cutAgent = await start(fakeNetwork(calls))
    await cutAgent.client.network('cut', 600)
    await cutAgent.app.close()
    assert.deepEqual(calls, ['cut', 'heal'])
    const idle = await start(fakeNetwork(calls))
    await idle.app.close()
    assert.deepEqual(calls, ['cut', 'heal'], 'nothing to heal')
  })
})
