// Site down across clusters: every process of shanghai dies. Nantong's operator, in its own cluster,
// confirms it through nantong's edge, flips nantong's edge and takes the agents over at nantong, and
// records the failover in its cluster's copy of Site shanghai. Shanghai's operator sees its own site
// fail and acts nowhere. Two control planes, two operators (--site), two sites of real processes.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { eventually } from '../operator/operator-process.ts'
import { CALLER_PREFIXES, placeCalls } from '../sites/calls.ts'
import { startTwoClusters, type TwoClusters } from './two-clusters.ts'

const AGENTS = 60

describe('multi-cluster: shanghai dies, nantong’s operator fails it over from its own cluster', () => {
  let world: TwoClusters
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-mc-reports-'))

  before(async () => {
    world = await startTwoClusters({ agents: AGENTS, reportDir })
  })
  after(async () => {
    await world.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  it('each operator sees both sites healthy, and provisions (writes the phase of) only its own', async () => {
    for (const cluster of Object.values(world.clusters)) {
      for (const name of ['shanghai', 'nantong'] as const)
        await eventually(
          `${name} healthy in the cluster of ${cluster.site}`,
          () => cluster.getSite(name),
          (s) => s.status?.health === 'Healthy',
          60_000,
        )
      const other = cluster.site === 'shanghai' ? 'nantong' : 'shanghai'
      await eventually(
        `${cluster.site} provisioned in its own cluster`,
        () => cluster.getSite(cluster.site),
        (s) => s.status?.phase !== undefined,
      )
      assert.equal((await cluster.getSite(other)).status?.phase, undefined, `the cluster of ${cluster.site} does not provision ${other}`)
    }
  })

  it('nantong’s operator confirms shanghai down, flips nantong’s edge, moves every agent and records it in its cluster', async () => {
    const b = world.clusters.nantong
    await world.sites.sites.shanghai.kill()
    await eventually(
      'shanghai failed in the cluster of nantong',
      () => b.getSite('shanghai'),
      (s) => s.status?.health === 'Failed',
      30_000,
    )
    const done = await eventually(
      'the failover recorded in the cluster of nantong',
      () => b.getSite('shanghai'),
      (s) => (s.status?.lastFailover?.agentsMoved ?? 0) >= world.fleet.homes.shanghai,
      90_000,
    )
    const status = done.status
    assert.equal(status?.lastFailover?.agentsLost, 0)
    assert.deepEqual(
      status.heartbeat?.takeovers?.map((t) => t.site),
      ['nantong'],
      'the takeover ran at nantong, started by nantong’s operator',
    )
    const trunkName = world.sites.trunkManifests()[0]?.metadata.name ?? ''
    await eventually(
      'the trunk in the cluster of nantong shows the flip',
      () => b.getTrunk(trunkName),
      (t) => (t.status?.routes ?? []).some((r) => r.site === 'shanghai' && r.state === 'Inactive'),
    )
    assert.equal(world.fleet.simulator.census().bySite.nantong, AGENTS, 'every agent is signed in at nantong')
    console.log(JSON.stringify({ agents: AGENTS, lastFailover: status.lastFailover }))
  })

  it('shanghai’s operator judges its own site failed but starts nothing and records no failover of it', async () => {
    const a = world.clusters.shanghai
    const own = await eventually(
      'shanghai failed in its own cluster',
      () => a.getSite('shanghai'),
      (s) => s.status?.health === 'Failed',
      30_000,
    )
    assert.equal(own.status?.heartbeat?.takeovers, undefined, 'no takeover started from the failed site’s cluster')
    assert.equal(own.status?.lastFailover, undefined)
    assert.equal((await a.getSite('nantong')).status?.health, 'Healthy')
  })

  it('completes new calls from shanghai’s region at nantong', async () => {
    const report = await placeCalls(world.sites, 'nantong', { calls: 20, callerPrefix: CALLER_PREFIXES.shanghai })
    assert.equal(report.failed, 0)
    assert.equal(report.landed.nantong, 20)
  })
})
