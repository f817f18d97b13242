// The simulated fleet spread over worker processes, against the two sites of real processes: the
// workers' censuses add up, each worker's sign-in marks land on the right accounts (the re-login figures
// after a takeover count every moved agent once), and stop() ends the workers.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { waitFor } from '../../workloads/lib/testing/wait.ts'
import { signInFleet, type SignedInFleet } from './agents.ts'
import { startTakeover } from './takeover.ts'
import { startTwoSites, type TwoSites } from './two-sites.ts'

const AGENTS = 120
const PROCESSES = 3

const running = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe(`${AGENTS} simulated agents over ${PROCESSES} worker processes`, () => {
  let twoSites: TwoSites
  let fleet: SignedInFleet

  before(async () => {
    twoSites = await startTwoSites({ agents: AGENTS })
    fleet = await signInFleet(twoSites, { processes: PROCESSES, concurrency: 30 })
  })
  after(async () => {
    fleet.stop()
    await twoSites.stop()
  })

  it('signs every agent in at home with a standby connection, counted over all workers', async () => {
    assert.equal(fleet.signIn.succeeded, AGENTS, JSON.stringify(fleet.signIn.failures))
    assert.equal(fleet.signIn.latencyMs.count, AGENTS)
    assert.deepEqual(fleet.simulator.census().bySite, fleet.homes)
    await waitFor('every primary and standby connection', () => {
      const census = fleet.simulator.census()
      return census.primary === AGENTS && census.standby === AGENTS
    })
    assert.equal(fleet.simulator.events.get('signed-in'), AGENTS)
  })

  it('time-stamps each moved agent once when nantong takes shanghai over', async () => {
    await twoSites.sites.shanghai.kill()
    const since = Date.now()
    await startTakeover(twoSites.sites.nantong.loginUrl, 'shanghai')
    await waitFor('every agent signed in at nantong', () => fleet.simulator.census().bySite.nantong === AGENTS, { timeoutMs: 60_000 })
    const relogins = fleet.relogins('shanghai', 'nantong', since)
    assert.deepEqual(relogins.missing, [])
    assert.equal(relogins.times.length, fleet.homes.shanghai)
    assert.ok(relogins.times.every((ms) => ms >= 0))
    assert.deepEqual(fleet.relogins('nantong', 'nantong', since).times, [], 'nantong agents did not sign in again')
  })

  it('kills its worker processes on stop', async () => {
    const pids = fleet.workerPids
    assert.equal(pids.length, PROCESSES)
    fleet.stop()
    await waitFor('no worker left', () => pids.every((pid) => !running(pid)))
    assert.throws(() => fleet.simulator.census(), /stopped/)
  })
})
