import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AgentClient, type AgentEvent } from '../agent/client.ts'
import { AgentSimulator } from '../agent/simulator.ts'
import { waitFor } from '../lib/testing/wait.ts'
import type { TakeoverReport } from './takeover.ts'
import {
  credentials,
  post,
  startTestLogin,
  startTwoSiteLogins,
  worldObjects,
  type TwoSiteLogins,
  type TwoSiteName,
} from './testing/world.ts'

const SITES: readonly TwoSiteName[] = ['shanghai', 'nantong']

describe('takeover of agents between two sites (two real Redis, two login services)', () => {
  // A100-A109 hotel (failover, fence), A110-A113 flight and A114-A115 hotel (drain by group), A116 hotel (lost site),
  // A120-A124 hotel (failback home to shanghai).
  const objects = worldObjects({
    extraAgents: 25,
    extraAgentSkills: (n) => (n >= 110 && n <= 113 ? ['flight'] : ['hotel']),
    shanghaiPools: [{ name: 'general', from: 1000, to: 1099 }],
  })
  let sites: TwoSiteLogins
  const stoppers: (() => unknown)[] = []

  before(async () => (sites = await startTwoSiteLogins(objects)))
  after(async () => {
    for (const stop of stoppers) await stop()
    await sites.stop()
  })

  const url = (site: TwoSiteName) => sites.url(site)
  const agentsFrom = (first: number, count: number) =>
    Array.from({ length: count }, (_, index) => ({
      credentials: credentials(`agent${first + index}@travel.example`, `PC-${first + index}`),
      primaryUrl: url('shanghai'),
      standbyUrl: url('nantong'),
    }))
  const report = async (id: string) => (await (await fetch(`${url('nantong')}/v1/takeover/${id}`)).json()) as TakeoverReport
  const takeover = async (body: Record<string, unknown>) => {
    const started = await post(`${url('nantong')}/v1/takeover`, body)
    assert.equal(started.status, 202, JSON.stringify(started.body))
    return String(started.body.id)
  }
  /** The sites whose Redis holds a session of the agent now. */
  const sessionSites = async (agentId: string) => {
    const found: string[] = []
    for (const site of SITES) if ((await sites.redis[site].exists(`login:${site}:session:${agentId}`)) === 1) found.push(site)
    return found
  }
  /** Samples every agent's sessions at both sites until stopped; returns each agent seen signed in at two sites at once. */
  const watchForDoubleSessions = (agentIds: readonly string[]) => {
    const doubles = new Set<string>()
    const state = { samples: 0, running: true }
    const loop = (async () => {
      while (state.running) {
        for (const agentId of agentIds) if ((await sessionSites(agentId)).length > 1) doubles.add(agentId)
        state.samples++
      }
    })()
    return async () => {
      state.running = false
      await loop
      return { doubles: [...doubles], samples: state.samples }
    }
  }

  it('failover mode: agents whose own site still answers decline, and the declines are counted (split-brain guard)', async (t) => {
    // Heartbeats far enough apart that a loaded machine's late acks do not look like a lost site.
    const simulator = new AgentSimulator({ agents: agentsFrom(100, 10), heartbeatIntervalMs: 1_000, slots: 5 })
    t.after(async () => {
      await simulator.signOutAll() // no session left behind for the next test
      simulator.stop()
    })
    assert.equal((await simulator.signInAll()).succeeded, 10)
    await waitFor('every standby connection', () => simulator.census().standby === 10)

    const id = await takeover({ failedSite: 'shanghai' })
    const declined = await waitFor('every decline counted', async () => {
      const answer = await report(id)
      return answer.declined === 10 ? answer : undefined
    }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify({ report: await report(id), events: [...simulator.events] })}`)
    })
    assert.equal(declined.mode, 'failover')
    assert.equal(declined.instructed, 10)
    assert.equal(declined.relogged, 0)
    assert.equal(new Set(declined.declinedAgents).size, 10, 'each agent that declined is named once')
    assert.equal(simulator.events.get('takeover-declined'), 10)
    assert.equal(simulator.census().bySite.shanghai, 10, 'nobody left a site that answers')
    const sessions = (await (await fetch(`${url('shanghai')}/v1/sessions`)).json()) as { site: string; active: number }
    assert.deepEqual(sessions, { site: 'shanghai', active: 10 }, 'the count the operator shows as status.agents.hosted')
    assert.deepEqual(await sessionSites('A100'), ['shanghai'])
  })

  it('fence mode: every agent moves at once, signing out of the old site first, and each re-login time is recorded', async (t) => {
    const simulator = new AgentSimulator({ agents: agentsFrom(100, 10), heartbeatIntervalMs: 1_000, slots: 5 })
    t.after(async () => {
      await simulator.signOutAll() // no session left behind for the next test
      simulator.stop()
    })
    assert.equal((await simulator.signInAll()).succeeded, 10)
    await waitFor('every standby connection', () => simulator.census().standby === 10)
    const agentIds = Array.from({ length: 10 }, (_, index) => `A${100 + index}`)
    const stopWatching = watchForDoubleSessions(agentIds)

    const id = await takeover({ failedSite: 'shanghai', mode: 'fence' })
    await waitFor('every agent signed in at nantong', () => simulator.census().bySite.nantong === 10)
    const done = await waitFor('every re-login recorded', async () => {
      const answer = await report(id)
      return answer.relogged === 10 ? answer : undefined
    })
    const watched = await stopWatching()
    assert.deepEqual(watched.doubles, [], `no agent signed in at both sites (${watched.samples} samples)`)
    assert.ok(watched.samples > 0)
    assert.equal(done.mode, 'fence')
    assert.equal(done.instructed, 10)
    assert.equal(done.declined, 0)
    assert.equal(done.reloginMilliseconds.count, 10)
    assert.deepEqual(Object.keys(done.agents).sort(), agentIds)
    assert.equal(simulator.events.get('left-site'), 10)
    for (const agentId of agentIds) assert.deepEqual(await sessionSites(agentId), ['nantong'], agentId)
    for (const client of simulator.clients) {
      const session = client.session
      assert.ok(session)
      assert.equal(session.extension, `9${session.agentId.slice(1)}`, 'the nantong extension of the phone')
      assert.ok(session.operatorId >= 2000 && session.operatorId <= 2099, 'an ID from the nantong pool')
    }
    await waitFor('the new primary connections at nantong', () => simulator.census().primary === 10)
    assert.equal((await fetch(`${url('nantong')}/v1/takeover/unknown`)).status, 404)
  })

  it('drain mode limited to a skill group: its agents move, one on a call only after the call; the others stay', async (t) => {
    const simulator = new AgentSimulator({ agents: agentsFrom(110, 6), heartbeatIntervalMs: 1_000, slots: 5 })
    t.after(async () => {
      await simulator.signOutAll() // no session left behind for the next test
      simulator.stop()
    })
    assert.equal((await simulator.signInAll()).succeeded, 6)
    await waitFor('every standby connection', () => simulator.census().standby === 6)
    const onCall = simulator.clients[0]
    assert.equal(onCall?.session?.agentId, 'A110')
    onCall.setOnCall(true)
    const agentIds = Array.from({ length: 6 }, (_, index) => `A${110 + index}`)
    const stopWatching = watchForDoubleSessions(agentIds)

    const id = await takeover({ failedSite: 'shanghai', mode: 'drain', skillGroups: ['flight'] })
    await waitFor('the free flight agents at nantong', () => simulator.census().bySite.nantong === 3)
    await waitFor('the agent on a call waiting to move', () => simulator.census().movesPending === 1)
    const siteOfOnCall = (): string | undefined => onCall.session?.site
    assert.equal(siteOfOnCall(), 'shanghai', 'on a call: still at shanghai')
    assert.equal(onCall.movePendingTo, 'nantong')
    assert.deepEqual(await sessionSites('A110'), ['shanghai'])
    for (const agentId of ['A114', 'A115']) assert.deepEqual(await sessionSites(agentId), ['shanghai'], `${agentId} is not in flight`)
    const during = await report(id)
    assert.equal(during.instructed, 4)
    assert.equal(during.relogged, 3)

    onCall.setOnCall(false)
    await waitFor('the agent moved after the call', () => siteOfOnCall() === 'nantong')
    const done = await waitFor('every flight re-login recorded', async () => {
      const answer = await report(id)
      return answer.relogged === 4 ? answer : undefined
    })
    const watched = await stopWatching()
    assert.deepEqual(watched.doubles, [], `no agent signed in at both sites (${watched.samples} samples)`)
    assert.equal(done.mode, 'drain')
    assert.deepEqual(done.skillGroups, ['flight'])
    assert.deepEqual(Object.keys(done.agents).sort(), ['A110', 'A111', 'A112', 'A113'])
    assert.deepEqual(await sessionSites('A110'), ['nantong'])
    assert.deepEqual(simulator.census().bySite, { nantong: 4, shanghai: 2 })
  })

  it('failback: drain limited to the agents homed here; the agent homed at the survivor stays, one on a call moves after it, a late standby is told too', async (t) => {
    // After a failover: A120-A123 (homed at shanghai) and A10003 (homed at nantong) signed in at nantong, standby at shanghai.
    const atNantong = (account: string, pcHostName: string) => ({
      credentials: credentials(account, pcHostName),
      primaryUrl: url('nantong'),
      standbyUrl: url('shanghai'),
    })
    const simulator = new AgentSimulator({
      agents: [
        ...[120, 121, 122, 123].map((n) => atNantong(`agent${n}@travel.example`, `PC-${n}`)),
        atNantong('wang.fang@travel.example', 'NT-PC-0004'),
      ],
      heartbeatIntervalMs: 1_000,
      slots: 5,
    })
    const late = new AgentClient({ ...atNantong('agent124@travel.example', 'PC-124'), heartbeatIntervalMs: 1_000 })
    t.after(async () => {
      await simulator.signOutAll()
      simulator.stop()
      await late.signOut().catch(() => undefined)
    })
    assert.equal((await simulator.signInAll()).succeeded, 5)
    await waitFor('every standby connection at shanghai', () => simulator.census().standby === 5)
    const onCall = simulator.clients[3]
    assert.equal(onCall?.session?.agentId, 'A123')
    onCall.setOnCall(true)
    const homedHere = ['A120', 'A121', 'A122', 'A123', 'A124']
    const stopWatching = watchForDoubleSessions([...homedHere, 'A10003'])

    const started = await post(`${url('shanghai')}/v1/takeover`, {
      failedSite: 'nantong',
      mode: 'drain',
      homeSite: 'shanghai',
      keepInstructingSeconds: 60,
      key: 'failback-test-nantong',
    })
    assert.equal(started.status, 202, JSON.stringify(started.body))
    const id = String(started.body.id)
    const shanghaiReport = async () => (await (await fetch(`${url('shanghai')}/v1/takeover/${id}`)).json()) as TakeoverReport
    await waitFor('the free agents homed at shanghai back home', () => simulator.census().bySite.shanghai === 3)
    await waitFor('the agent on a call waiting to move', () => simulator.census().movesPending === 1)
    assert.equal(onCall.session.site, 'nantong', 'on a call: still at nantong')
    assert.equal(onCall.movePendingTo, 'shanghai')

    // A desktop whose standby connection arrives after the start (it was backing off) is told when it arrives.
    await late.signIn()
    await waitFor('the late agent home', () => late.session?.site === 'shanghai')
    const during = await shanghaiReport()
    assert.deepEqual(during.pendingAgents, ['A123'])
    assert.equal(during.homeSite, 'shanghai')
    assert.ok(during.keepInstructingUntil !== undefined && during.keepInstructingUntil > during.startedAt)

    onCall.setOnCall(false)
    await waitFor('the agent on a call home after it', () => onCall.session?.site === 'shanghai')
    const done = await waitFor('every re-login recorded', async () => {
      const answer = await shanghaiReport()
      return answer.relogged === 5 ? answer : undefined
    })
    const watched = await stopWatching()
    assert.deepEqual(watched.doubles, [], `no agent signed in at both sites (${watched.samples} samples)`)
    assert.deepEqual(Object.keys(done.agents).sort(), homedHere)
    assert.equal(done.instructed, 5, 'each agent counted once')
    assert.deepEqual(done.pendingAgents, [])
    assert.equal(simulator.clients[4]?.session?.site, 'nantong', 'the agent homed at nantong stays there')
    assert.deepEqual(await sessionSites('A10003'), ['nantong'])
    const again = await post(`${url('shanghai')}/v1/takeover`, {
      failedSite: 'nantong',
      mode: 'drain',
      homeSite: 'shanghai',
      key: 'failback-test-nantong',
    })
    assert.equal(again.body.id, id, 'the same key: the same takeover')
  })

  it('a standing takeover outlives a restart of the login service: a standby that arrives after the restart is told', async (t) => {
    const port = Number(new URL(url('shanghai')).port)
    const started = await post(`${url('shanghai')}/v1/takeover`, {
      failedSite: 'nantong',
      mode: 'drain',
      homeSite: 'shanghai',
      keepInstructingSeconds: 60,
    })
    assert.equal(started.status, 202, JSON.stringify(started.body))
    const restartedAt = Date.now()
    await sites.logins.shanghai.close()
    sites.logins.shanghai = await startTestLogin(sites.redisServers.shanghai.url, 'shanghai', objects, { port })

    const events: AgentEvent[] = []
    const agent = new AgentClient({
      credentials: credentials('agent117@travel.example', 'PC-117'),
      primaryUrl: url('nantong'),
      standbyUrl: url('shanghai'),
      heartbeatIntervalMs: 1_000,
      onEvent: (event) => events.push(event),
    })
    t.after(() => agent.signOut().catch(() => undefined))
    await agent.signIn()
    const home = await waitFor('the agent home at shanghai', () =>
      events.find((event) => event.type === 'signed-in' && event.site === 'shanghai'),
    )
    // Any takeover still standing here may have told it (the failback test's too): the one it followed recorded it.
    assert.ok(home.type === 'signed-in' && home.takeoverId !== undefined)
    const report = (await (await fetch(`${url('shanghai')}/v1/takeover/${home.takeoverId}`)).json()) as TakeoverReport
    assert.ok(Object.keys(report.agents).includes('A117'), JSON.stringify(report))
    assert.ok(report.startedAt <= restartedAt, 'a takeover from before the restart')
  })

  it('a takeover asked for again with the same key is the one already started, never a second', async () => {
    const first = await takeover({ failedSite: 'shanghai', key: 'shanghai-failover-1' })
    const again = await takeover({ failedSite: 'shanghai', key: 'shanghai-failover-1' })
    const other = await takeover({ failedSite: 'shanghai', key: 'shanghai-failover-2' })
    assert.equal(again, first)
    assert.notEqual(other, first)
    assert.equal((await report(first)).failedSite, 'shanghai')
  })

  it('refuses a malformed takeover, naming the field', async () => {
    const refused = async (body: unknown) => {
      const answer = await post(`${url('nantong')}/v1/takeover`, body)
      assert.equal(answer.status, 400)
      return String(answer.body.message)
    }
    assert.match(await refused({ failedSite: 'shanghai', mode: 'soon' }), /mode must be one of/)
    assert.match(await refused({ failedSite: 'shanghai', skillgroups: ['flight'] }), /unknown field skillgroups/)
    assert.match(await refused({ failedSite: 'shanghai', skillGroups: [] }), /skillGroups/)
    assert.match(await refused({ failedSite: 'nantong' }), /failedSite must name a peer site of nantong/)
  })

  it('an agent that declined signs in at the peer by itself once its own site is confirmed lost, counted for that takeover', async () => {
    const doomed = await startTestLogin(sites.redisServers.shanghai.url, 'shanghai', objects)
    let doomedOpen = true
    stoppers.push(() => (doomedOpen ? doomed.close() : undefined))
    const events: AgentEvent[] = []
    const agent = new AgentClient({
      credentials: credentials('agent116@travel.example', 'PC-116'),
      primaryUrl: doomed.url,
      standbyUrl: url('nantong'),
      heartbeatIntervalMs: 500,
      lossConfirmations: 2,
      onEvent: (event) => events.push(event),
    })
    stoppers.push(() => agent.disconnect())
    await agent.signIn()
    await waitFor('both connections', () => agent.connections.primary && agent.connections.standby)
    const id = await takeover({ failedSite: 'shanghai' })
    await waitFor('the decline', async () => (await report(id)).declined === 1)
    assert.equal(agent.session?.site, 'shanghai')

    doomedOpen = false
    await doomed.close()
    await waitFor('the agent at nantong', () => agent.session?.site === 'nantong')
    assert.ok(events.some((event) => event.type === 'site-lost' && event.site === 'shanghai'))
    assert.equal(agent.primaryUrl, url('nantong'))
    await waitFor('the primary connection at nantong', () => agent.connections.primary)
    const counted = await waitFor('the re-login counted for the declined takeover', async () => {
      const answer = await report(id)
      return answer.relogged === 1 ? answer : undefined
    })
    assert.deepEqual(Object.keys(counted.agents), ['A116'])
  })
})
