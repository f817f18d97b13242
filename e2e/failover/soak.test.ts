// The soak: for SOAK_MINUTES (default 10) every probe the operator sends to shanghai's components goes
// through a lossy proxy that drops 20 % of them and holds some back beyond the probe timeout (latency
// spikes), at a 1 s interval, while every process of both sites keeps serving. Suspicions are allowed;
// a failover is not. The proxies count what they did, so the test cannot pass without the loss.
// Two sites of real processes (Redis, login, Kamailio edge, SIPp as the soft switch) in External mode, a
// real control plane, the operator as a process, simulated agents.
//
// Paths through the proxies: SIP OPTIONS to the edge and to the soft switch (UDP), GET /healthz of the
// login service and of the acd (TCP; the acd is probed but does not decide).
// The second opinion (nantong's Kamailio probing shanghai's soft switch) takes its own, clean path.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import type { Site } from '../../crds/types.ts'
import { EdgeRouting, KamailioRpc } from '../../workloads/edge/index.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { seededRandom, type LossCounters, type LossProfile } from '../net/loss-plan.ts'
import { startLossyTcpProxy, type LossyTcpProxy } from '../net/lossy-tcp-proxy.ts'
import { startLossyUdpProxy, type LossyUdpProxy } from '../net/lossy-udp-proxy.ts'
import { eventually, startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { signInFleet, type SignedInFleet } from '../sites/agents.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'
import { watchSecondOpinion, type SecondOpinionWatch } from './second-opinion-watch.ts'
import { watchSites, type SiteSnapshot, type SiteWatch } from './site-watch.ts'

function soakMinutes(value = process.env['SOAK_MINUTES']): number {
  const minutes = Number(value ?? 10)
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new Error(`SOAK_MINUTES must be a positive number of minutes, got ${JSON.stringify(value)}`)
  return minutes
}

const MINUTES = soakMinutes()
const SEED = Number(process.env['SOAK_SEED'] ?? 20250301)
const AGENTS = 20
const NAMESPACE = 'callcenter'
const DROP_RATE = 0.2
/** The Site's probe timeout is 800 ms (the default): every spike is beyond it. */
const PROFILE: LossProfile = { dropRate: DROP_RATE, spikeRate: 0.05, spikeMs: { min: 900, max: 2500 }, jitterMs: { min: 1, max: 40 } }
const NOT_A_FAILOVER_EVENT = new Set(['Failed', 'FlippedAway', 'FlipIncomplete', 'FailoverCompleted'])

interface LossyPaths {
  edge: LossyUdpProxy
  softswitch: LossyUdpProxy
  login: LossyTcpProxy
  acd: LossyTcpProxy
}

/** shanghai as the operator sees it: every probe path through a lossy proxy (the edge's JSON-RPC stays direct). */
function throughLossyPaths(site: Site, paths: LossyPaths): Site {
  const { components } = site.spec
  const readdress = <T extends { host: string; sipPort?: number }>(servers: T[] | undefined, proxy: LossyUdpProxy): T[] =>
    (servers ?? []).map((server) => ({ ...server, host: proxy.host, sipPort: proxy.port }))
  return {
    ...site,
    spec: {
      ...site.spec,
      components: {
        ...components,
        edge: { ...components.edge, external: { servers: readdress(components.edge.external?.servers, paths.edge) } },
        softswitch: {
          ...components.softswitch,
          external: { servers: readdress(components.softswitch.external?.servers, paths.softswitch) },
        },
        login: { mode: 'External', external: { url: paths.login.url } },
        acd: { mode: 'External', external: { url: paths.acd.url } },
      },
    },
  }
}

function hostPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url)
  return { host: hostname, port: Number(port) }
}

/** Runs of consecutive snapshots of a site in a state other than Healthy (each a suspicion, or worse). */
function episodes(snapshots: readonly SiteSnapshot[], site: string): { states: Set<string>; from: number; to: number }[] {
  const runs: { states: Set<string>; from: number; to: number }[] = []
  let open: { states: Set<string>; from: number; to: number } | undefined
  for (const snapshot of snapshots.filter((s) => s.site === site && s.health !== '' && s.health !== 'Unknown')) {
    if (snapshot.health === 'Healthy') {
      if (open) runs.push(open)
      open = undefined
    } else {
      open ??= { states: new Set(), from: snapshot.at, to: snapshot.at }
      open.states.add(snapshot.health)
      open.to = snapshot.at
    }
  }
  if (open) runs.push(open)
  return runs
}

interface RecordedEvent {
  reason?: string
  note?: string
  eventTime?: string
  regarding?: { kind?: string; name?: string }
}

describe(`soak: ${MINUTES} min of ${DROP_RATE * 100} % probe loss and latency spikes on shanghai's probe paths at 1 s (SIPp stands in for FreeSWITCH)`, () => {
  let sites: TwoSites
  let cp: ControlPlane
  let fleet: SignedInFleet
  let paths: LossyPaths
  let operator: OperatorProcess
  let watch: SiteWatch
  let secondOpinion: SecondOpinionWatch

  before(async () => {
    // The SIPp soft switches exit by themselves after a while: not before the soak is over.
    sites = await startTwoSites({ agents: AGENTS, softswitchLifetimeSeconds: Math.ceil(MINUTES * 60) + 900 })
    cp = await startControlPlane()
    const shanghai = sites.sites.shanghai
    // One random source per path, so each path's fates repeat for the same seed whatever the timing.
    paths = {
      edge: await startLossyUdpProxy({ target: shanghai.edgeSip, profile: PROFILE, random: seededRandom(SEED) }),
      softswitch: await startLossyUdpProxy({ target: shanghai.softswitchSip, profile: PROFILE, random: seededRandom(SEED + 1) }),
      login: await startLossyTcpProxy({ target: hostPort(shanghai.loginUrl), profile: PROFILE, random: seededRandom(SEED + 2) }),
      acd: await startLossyTcpProxy({ target: hostPort(shanghai.acdUrl), profile: PROFILE, random: seededRandom(SEED + 3) }),
    }
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', NAMESPACE]), 'namespace')
    const manifests = sites.siteManifests().map((site) => (site.metadata.name === 'shanghai' ? throughLossyPaths(site, paths) : site))
    for (const object of [...manifests, ...sites.trunkManifests()]) {
      succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) }), `apply ${object.kind}`)
    }
    fleet = await signInFleet(sites, { agents: AGENTS })
    watch = watchSites(cp.kubeconfigPath, NAMESPACE)
    secondOpinion = watchSecondOpinion(sites.sites.nantong.edgeRpcUrl, 'shanghai')
    operator = await startOperator(cp, 'soak')
  })
  after(async () => {
    watch.stop()
    secondOpinion.stop()
    await operator.stop()
    fleet.stop()
    await Promise.all([paths.edge, paths.softswitch, paths.login, paths.acd].map((proxy) => proxy.close()))
    await cp.stop()
    await sites.stop()
  })

  const site = async (name: string) =>
    JSON.parse(succeeded(await cp.kubectl(['get', 'site', name, '-n', NAMESPACE, '-o', 'json']), 'get site')) as Site

  it('suspects shanghai now and then, never fails it over', async () => {
    for (const name of ['shanghai', 'nantong'])
      await eventually(
        `${name} judged`,
        () => site(name),
        (s) => s.status?.health !== undefined && s.status.health !== 'Unknown',
        60_000,
      )
    const pathList: [keyof LossyPaths, { counters(): LossCounters }][] = [
      ['edge', paths.edge],
      ['softswitch', paths.softswitch],
      ['login', paths.login],
      ['acd', paths.acd],
    ]
    const before = new Map(pathList.map(([name, proxy]) => [name, proxy.counters()]))
    const began = Date.now()
    await delay(MINUTES * 60_000)
    const soakedMs = Date.now() - began

    const counted = Object.fromEntries(
      pathList.map(([name, proxy]) => {
        const [now, then] = [proxy.counters(), before.get(name)]
        assert.ok(then)
        const during: LossCounters = {
          seen: now.seen - then.seen,
          dropped: now.dropped - then.dropped,
          spiked: now.spiked - then.spiked,
          passed: now.passed - then.passed,
        }
        return [name, during]
      }),
    ) as Record<keyof LossyPaths, LossCounters>
    const rounds = soakedMs / 1000
    const shanghaiEpisodes = episodes(watch.snapshots, 'shanghai')
    const states = new Set(shanghaiEpisodes.flatMap((e) => [...e.states]))
    const failedOverSeen = watch.snapshots.filter((s) => s.failedOver || s.lastFailover !== '' || s.health === 'Failed')
    const events = (
      JSON.parse(succeeded(await cp.kubectl(['get', 'events.events.k8s.io', '-n', NAMESPACE, '-o', 'json']), 'get events')) as {
        items: RecordedEvent[]
      }
    ).items.filter((e) => e.regarding?.kind === 'Site')
    const missedRounds = (await readFile(operator.logPath, 'utf8'))
      .split('\n')
      .filter((line) => line.includes('site heartbeat missed') && line.includes(`${NAMESPACE}/shanghai`)).length
    const figures = {
      minutes: MINUTES,
      seed: SEED,
      probeRounds: Math.round(rounds),
      probes: counted,
      dropRate: Object.fromEntries(Object.entries(counted).map(([name, c]) => [name, Number((c.dropped / c.seen).toFixed(3))])),
      missedRounds,
      suspectEpisodes: shanghaiEpisodes.length,
      statesSeen: [...states].sort(),
      longestEpisodeMs: Math.max(0, ...shanghaiEpisodes.map((e) => e.to - e.from)),
      failovers: failedOverSeen.length,
      nantongEpisodes: episodes(watch.snapshots, 'nantong').length,
      secondOpinion: { polls: secondOpinion.polls(), shanghaiNotActive: secondOpinion.notActive() },
      statusWritesSeen: watch.snapshots.length,
      watchRestarts: watch.restarts(),
      eventsByReason: Object.fromEntries(
        [...new Set(events.map((e) => e.reason ?? ''))].sort().map((r) => [r, events.filter((e) => e.reason === r).length]),
      ),
    }
    console.log(JSON.stringify(figures))
    for (const event of events.filter((e) => NOT_A_FAILOVER_EVENT.has(e.reason ?? '') || e.reason === 'Suspect'))
      console.log(JSON.stringify({ event: event.reason, at: event.eventTime, note: event.note }))

    for (const [name, during] of Object.entries(counted)) {
      assert.ok(during.seen >= rounds * 0.5, `${name}: ${during.seen} probes went through the proxy in ${rounds} rounds`)
      const rate = during.dropped / during.seen
      const tolerance = Math.max(0.03, 4 * Math.sqrt((DROP_RATE * (1 - DROP_RATE)) / during.seen))
      assert.ok(Math.abs(rate - DROP_RATE) <= tolerance, `${name}: dropped ${during.dropped} of ${during.seen}`)
    }
    assert.ok(
      Object.values(counted).some((during) => during.spiked > 0),
      'some probes were held back beyond the timeout',
    )

    assert.ok(missedRounds > 0, 'the loss reached the operator: some probe rounds of shanghai missed')
    assert.ok(
      watch.snapshots.some((s) => s.site === 'shanghai' && s.health === 'Healthy'),
      'the watch saw shanghai',
    )
    assert.deepEqual(failedOverSeen, [], 'no status ever showed a failover')
    assert.ok(!states.has('Failed') && !states.has('Recovering'), `states seen: ${[...states].join(', ')}`)
    assert.deepEqual(
      events.filter((e) => NOT_A_FAILOVER_EVENT.has(e.reason ?? '')),
      [],
      'no failover Event',
    )
    const final = await site('shanghai')
    assert.equal(final.status?.heartbeat?.failedOver, false)
    assert.equal(final.status.lastFailover, undefined)
    assert.equal((await site('nantong')).status?.health, 'Healthy')
    const destinations = await new EdgeRouting({ rpc: new KamailioRpc({ url: sites.sites.nantong.edgeRpcUrl }) }).destinations()
    assert.ok(
      destinations.filter((d) => d.site === 'shanghai').every((d) => d.state !== 'disabled'),
      `nantong's edge still routes to shanghai: ${JSON.stringify(destinations)}`,
    )
    assert.deepEqual(fleet.simulator.census().bySite, fleet.homes, 'every agent is still signed in at home')
  })
})
