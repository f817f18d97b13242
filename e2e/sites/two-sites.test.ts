// The two-site harness proves itself: real Redis, login services, Kamailio edges and SIPp soft switches
// for shanghai and nantong; agents at home with standby connections; calls through each edge; shanghai
// SIGKILLed; a takeover at nantong moves shanghai's agents; nantong still takes calls.
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { waitFor } from '../../workloads/lib/testing/wait.ts'
import { signInFleet, type SignedInFleet } from './agents.ts'
import { placeCalls } from './calls.ts'
import { startTakeover, takeoverReport } from './takeover.ts'
import { startTwoSites, type TwoSites } from './two-sites.ts'

const AGENTS = 200
const CALLS = 100

/** What a TCP connect to the port meets: 'connected' or the error code (ECONNREFUSED when nothing listens). */
async function tcpConnect(host: string, port: number): Promise<string> {
  const socket = connect(port, host)
  try {
    await once(socket, 'connect')
    return 'connected'
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error)
  } finally {
    socket.destroy()
  }
}

/** True when a datagram to the port comes back as "port unreachable" (nothing bound there). */
async function udpRefuses(host: string, port: number): Promise<boolean> {
  const socket = createSocket('udp4')
  try {
    socket.connect(port, host)
    await once(socket, 'connect')
    const refused = once(socket, 'error').then(([error]) => (error as NodeJS.ErrnoException).code === 'ECONNREFUSED')
    socket.send('OPTIONS')
    return await Promise.race([refused, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000))])
  } finally {
    socket.close()
  }
}

async function rpcAnswers(url: string): Promise<boolean> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', method: 'core.version', id: 1 }) })
  return response.ok
}

describe('two sites as real local processes (External mode): Redis, login, Kamailio edge, SIPp soft switch', () => {
  let twoSites: TwoSites | undefined
  let agents: SignedInFleet | undefined

  const harness = (): TwoSites => {
    assert.ok(twoSites, 'the two sites started')
    return twoSites
  }

  before(async () => {
    twoSites = await startTwoSites({ agents: AGENTS })
  })
  after(async () => {
    agents?.stop()
    await twoSites?.stop()
  })

  it('runs both sites and describes them as External Sites and a 50/50 local-first Trunk', async () => {
    for (const site of Object.values(harness().sites)) {
      assert.equal((await fetch(`${site.loginUrl}/readyz`)).status, 200, `${site.name} login ready`)
      assert.ok(await rpcAnswers(site.edgeRpcUrl), `${site.name} edge answers JSON-RPC`)
    }
    const manifests = harness().siteManifests()
    assert.deepEqual(
      manifests.map((site) => site.metadata.name),
      ['shanghai', 'nantong'],
    )
    for (const manifest of manifests) {
      const site = harness().sites[manifest.metadata.name as 'shanghai' | 'nantong']
      const { components, redis } = manifest.spec
      const edge = components.edge.external?.servers[0]
      assert.deepEqual([edge?.host, edge?.sipPort, edge?.rpcUrl], [site.edgeSip.host, site.edgeSip.port, site.edgeRpcUrl])
      assert.equal(components.softswitch.external?.servers[0]?.sipPort, site.softswitchSip.port)
      assert.equal(components.login.external?.url, site.loginUrl)
      assert.equal(`redis://${redis.external?.host}:${redis.external?.port}`, site.redisUrl)
    }
    const [trunk] = harness().trunkManifests()
    assert.ok(trunk)
    assert.deepEqual(
      trunk.spec.sites.map((entry) => [entry.site, entry.weight]),
      [
        ['shanghai', 50],
        ['nantong', 50],
      ],
    )
    assert.equal(trunk.spec.routing?.localFirst, true)
  })

  it(`signs ${AGENTS} agents in at their home site, each with a standby connection to the other site`, async () => {
    agents = await signInFleet(harness(), { concurrency: 50 })
    const fleet = agents
    assert.equal(fleet.signIn.succeeded, AGENTS, JSON.stringify(fleet.signIn.failures))
    assert.deepEqual(fleet.simulator.census().bySite, fleet.homes)
    await waitFor('every primary and standby connection', () => {
      const census = fleet.simulator.census()
      return census.primary === AGENTS && census.standby === AGENTS
    })
    console.log(`sign-in at home: ${JSON.stringify(fleet.signIn)}`)
  })

  it(`completes ${CALLS} calls through each edge at that site's own soft switch`, async () => {
    const reports = await Promise.all([
      placeCalls(harness(), 'shanghai', { calls: CALLS, rate: 50 }),
      placeCalls(harness(), 'nantong', { calls: CALLS, rate: 50 }),
    ])
    for (const report of reports) {
      assert.equal(report.completed, CALLS, JSON.stringify(report))
      assert.equal(report.failed, 0, JSON.stringify(report))
    }
    assert.deepEqual(
      reports.map((report) => report.landed),
      [
        { shanghai: CALLS, nantong: 0 },
        { shanghai: 0, nantong: CALLS },
      ],
    )
  })

  it('kills every process of shanghai: its ports refuse', async () => {
    const shanghai = harness().sites.shanghai
    await shanghai.kill()
    const host = '127.0.0.1'
    // The kernel closes a killed process's sockets as it reaps it: allow it a moment on a busy machine.
    const refuses = (what: string, probe: () => Promise<boolean>) => waitFor(`${what} to refuse`, probe, { timeoutMs: 10_000 })
    for (const [what, url] of [
      ['login', shanghai.loginUrl],
      ['redis', shanghai.redisUrl],
      ['edge JSON-RPC', shanghai.edgeRpcUrl],
    ] as const) {
      await refuses(what, async () => (await tcpConnect(host, Number(new URL(url).port))) === 'ECONNREFUSED')
    }
    await refuses('edge SIP (TCP)', async () => (await tcpConnect(host, shanghai.edgeSip.port)) === 'ECONNREFUSED')
    await refuses('edge SIP (UDP)', () => udpRefuses(host, shanghai.edgeSip.port))
    await refuses('soft switch SIP (UDP)', () => udpRefuses(host, shanghai.softswitchSip.port))
  })

  it("moves shanghai's agents to nantong on a takeover there (over their standby connections)", async () => {
    const fleet = agents
    assert.ok(fleet, 'the agents signed in')
    const since = Date.now()
    const takeover = await startTakeover(harness().sites.nantong.loginUrl, 'shanghai')
    await waitFor('every agent signed in at nantong', () => fleet.simulator.census().bySite.nantong === AGENTS, { timeoutMs: 30_000 })
    const relogins = fleet.relogins('shanghai', 'nantong', since)
    assert.deepEqual(relogins.missing, [])
    const report = await waitFor('the takeover report to count every re-login', async () => {
      const current = await takeoverReport(harness().sites.nantong.loginUrl, takeover.id)
      return current.relogged === fleet.homes.shanghai && current
    })
    console.log(
      `re-login after takeover (${fleet.homes.shanghai} agents), ms: ` +
        JSON.stringify({ agents: relogins.figures, loginService: report.reloginMilliseconds, instructed: report.instructed }),
    )
  })

  it('still completes calls through the nantong edge', async () => {
    const report = await placeCalls(harness(), 'nantong', { calls: CALLS, rate: 50 })
    assert.equal(report.completed, CALLS, JSON.stringify(report))
    assert.equal(report.landed.nantong, CALLS)
  })
})
