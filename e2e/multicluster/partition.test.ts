// Partition between the sites, one operator per site cluster: every path between shanghai and nantong
// is cut (the operators' probes of the other site, each edge's route to the other soft switch, the
// other site's login, edge control and Redis), while the agents still reach both login services. Each
// operator fails the other site over for itself; the agents, whose own site still answers, decline the
// takeover (contract C1's split-brain guard), so no agent is signed in at two sites, and each site
// keeps completing its own region's calls at its own soft switch. When the WAN heals, each cluster sees
// the other site healthy again; traffic crosses again once failback is approved in each cluster.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import type { Site } from '../../crds/types.ts'
import { APPROVE_FAILBACK_ANNOTATION } from '../../operator/controllers/failover/failover-controller.ts'
import { succeeded } from '../api/kubectl-helpers.ts'
import { eventually } from '../operator/operator-process.ts'
import { CALLER_PREFIXES, placeCalls } from '../sites/calls.ts'
import { NAMESPACE, SITE_NAMES, type SiteName } from '../sites/manifests.ts'
import { takeoverReport } from '../sites/takeover.ts'
import { sampleDoubleSignIns } from './sessions.ts'
import { startTwoClusters, type TwoClusters } from './two-clusters.ts'

const AGENTS = 60
/** Sampling goes on this long after every takeover was answered: an agent that followed late would show. */
const WATCH_AFTER_TAKEOVERS_MS = 12_000

const otherThan = (site: SiteName): SiteName => (site === 'shanghai' ? 'nantong' : 'shanghai')

describe('multi-cluster partition: the sites cannot see each other, the agents can see both', () => {
  let world: TwoClusters
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-mc-reports-'))

  before(async () => {
    world = await startTwoClusters({ agents: AGENTS, reportDir, minimumDwellSeconds: 5 })
  })
  after(async () => {
    await world.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  it('each operator sees both sites healthy before the cut', async () => {
    for (const cluster of Object.values(world.clusters))
      for (const name of SITE_NAMES)
        await eventually(
          `${name} healthy in the cluster of ${cluster.site}`,
          () => cluster.getSite(name),
          (s) => s.status?.health === 'Healthy',
          60_000,
        )
  })

  it('each operator fails the other site over at its own site only; the agents decline, none is signed in at two sites', async () => {
    const sampler = sampleDoubleSignIns(world.sites)
    const openAtCut = world.wan.cut()
    for (const site of SITE_NAMES)
      assert.equal(
        openAtCut[`${site}/redis`],
        0,
        `the other site's operator never connects to ${site}'s Redis (it projects only into its own)`,
      )
    const takeovers = await Promise.all(
      SITE_NAMES.map(async (home) => {
        const other = otherThan(home)
        const seen: Site = await eventually(
          `the cluster of ${home} fails ${other} over`,
          () => world.clusters[home].getSite(other),
          (s) => s.status?.health === 'Failed' && (s.status.heartbeat?.takeovers?.length ?? 0) > 0,
          60_000,
        )
        assert.deepEqual(
          seen.status?.heartbeat?.takeovers?.map((t) => t.site),
          [home],
          `${home}'s operator starts the takeover of ${other}'s agents only at ${home}`,
        )
        return { home, other, id: seen.status.heartbeat.takeovers[0]?.id ?? '' }
      }),
    )
    for (const home of SITE_NAMES) {
      const own = await world.clusters[home].getSite(home)
      assert.equal(own.status?.health, 'Healthy', `${home} keeps serving in its own cluster`)
      assert.equal(own.status.heartbeat?.failedOver, false)
    }

    // C1: an agent whose primary site still answers declines a failover takeover and says so.
    const reports = await Promise.all(
      takeovers.map(({ home, id }) =>
        eventually(
          `every agent answered the takeover at ${home}`,
          () => takeoverReport(world.sites.sites[home].loginUrl, id),
          (r) => r.instructed > 0 && r.declined + r.relogged >= r.instructed,
          30_000,
        ),
      ),
    )
    await delay(WATCH_AFTER_TAKEOVERS_MS)
    const doubles = await sampler.stop()
    const census = world.fleet.simulator.census()
    console.log(
      JSON.stringify({
        agents: AGENTS,
        openAtCut,
        samples: sampler.samples(),
        doubleSignIns: doubles.length,
        takeovers: reports.map((r) => ({
          at: r.site,
          of: r.failedSite,
          instructed: r.instructed,
          declined: r.declined,
          relogged: r.relogged,
        })),
        census: census.bySite,
      }),
    )
    assert.deepEqual(doubles.slice(0, 5), [], 'no agent is signed in at both sites in any sample')
    for (const report of reports) {
      const homes = world.fleet.homes[report.failedSite as SiteName]
      assert.equal(report.instructed, homes, `every agent of ${report.failedSite} was told over its standby connection`)
      assert.equal(report.declined, homes, `every agent of ${report.failedSite} declined: its own site still answers`)
      assert.equal(report.relogged, 0)
    }
    assert.deepEqual(census.bySite, world.fleet.homes, 'every agent is still signed in at home')
  })

  it('each site completes its own region’s calls, and the calls split by weight, at its own soft switch', async () => {
    for (const site of SITE_NAMES) {
      for (const callerPrefix of [CALLER_PREFIXES[site], CALLER_PREFIXES.anywhere]) {
        const report = await placeCalls(world.sites, site, { calls: 20, callerPrefix })
        assert.equal(report.failed, 0, `calls from ${callerPrefix} at ${site}`)
        assert.equal(report.landed[site], 20, `calls from ${callerPrefix} at ${site} land at ${site}`)
        assert.equal(report.landed[otherThan(site)], 0)
      }
    }
  })

  it('once the WAN heals each cluster sees the other site healthy, and after failback is approved there calls cross again', async () => {
    world.wan.heal()
    for (const home of SITE_NAMES) {
      const other = otherThan(home)
      const cluster = world.clusters[home]
      const recovered = await eventually(
        `${other} healthy again in the cluster of ${home}`,
        () => cluster.getSite(other),
        (s) => s.status?.health === 'Healthy',
        60_000,
      )
      assert.equal(recovered.status?.heartbeat?.failedOver, true, 'Manual failback: the traffic stays away until a person approves')
      const id = recovered.status.heartbeat.failover?.id ?? ''
      succeeded(
        await cluster.cp.kubectl(['annotate', 'site', other, '-n', NAMESPACE, '--overwrite', `${APPROVE_FAILBACK_ANNOTATION}=${id}`]),
        `approve the failback of ${other} in the cluster of ${home}`,
      )
      await eventually(
        `${other} failed back in the cluster of ${home}`,
        () => cluster.getSite(other),
        (s) => s.status?.heartbeat?.failedOver === false,
      )
    }
    for (const site of SITE_NAMES) {
      const report = await placeCalls(world.sites, site, { calls: 20, callerPrefix: CALLER_PREFIXES.anywhere })
      assert.equal(report.failed, 0, `calls split by weight at ${site}`)
      assert.ok(report.landed[otherThan(site)] > 0, `some of them cross to ${otherThan(site)} again: ${JSON.stringify(report.landed)}`)
    }
  })
})
