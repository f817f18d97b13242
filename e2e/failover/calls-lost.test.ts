// Calls lost, measured: long carrier calls are held to shanghai (through its own edge and through nantong's), and
// some to nantong; every process of shanghai is killed; the failover's timeline counts exactly the calls that were
// in progress to shanghai, as the operator read them from both edges' Kamailio before the fault.
// Two sites of real processes (Kamailio edges, SIPp soft switches, login) in External mode, a real control plane,
// the operator as a process, SIPp placing the calls.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Site } from '../../crds/types.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually } from '../operator/operator-process.ts'
import { CALLER_PREFIXES, placeCalls, type CallsReport } from '../sites/calls.ts'
import { startSiteDownScenario, type SiteDownScenario } from './scenario.ts'

const AGENTS = 20
/** Held calls to shanghai through shanghai's own edge, and through nantong's (prefix rule 021 -> shanghai). */
const VIA_SHANGHAI_EDGE = 4
const VIA_NANTONG_EDGE = 3
/** Held calls to nantong: in progress when shanghai dies, but not shanghai's to lose. */
const TO_NANTONG = 2
const HOLD_MS = 45_000

/** Calls in progress to `destination` as the Sites' status shows the operator's last readings of their edges. */
const countedTo = (sites: readonly Site[], destination: string) =>
  sites.flatMap((s) => s.status?.callsInProgress ?? []).reduce((sum, c) => sum + (c.site === destination ? c.calls : 0), 0)

describe('calls lost when every process of shanghai is killed, counted at the edges (SIPp stands in for FreeSWITCH)', () => {
  let scenario: SiteDownScenario
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-reports-'))
  let held: Promise<CallsReport[]> | undefined

  before(async () => {
    scenario = await startSiteDownScenario({ agents: AGENTS, reportDir, operatorName: 'calls-lost' })
  })
  after(async () => {
    await held?.catch(() => [])
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  it(`counts ${VIA_SHANGHAI_EDGE + VIA_NANTONG_EDGE} held calls to shanghai and ${TO_NANTONG} to nantong`, async () => {
    const hold = { holdMilliseconds: HOLD_MS, timeoutSeconds: 120, rate: 10 }
    held = Promise.all([
      placeCalls(scenario.sites, 'shanghai', { ...hold, calls: VIA_SHANGHAI_EDGE, callerPrefix: CALLER_PREFIXES.shanghai }),
      placeCalls(scenario.sites, 'nantong', { ...hold, calls: VIA_NANTONG_EDGE, callerPrefix: CALLER_PREFIXES.shanghai }),
      placeCalls(scenario.sites, 'nantong', { ...hold, calls: TO_NANTONG, callerPrefix: CALLER_PREFIXES.nantong }),
    ])
    const sites = await eventually(
      'the operator has read every held call at the edges',
      () => Promise.all([site('shanghai'), site('nantong')]),
      (both) => countedTo(both, 'shanghai') === VIA_SHANGHAI_EDGE + VIA_NANTONG_EDGE && countedTo(both, 'nantong') === TO_NANTONG,
      30_000,
    )
    const [shanghai, nantong] = sites
    assert.equal(shanghai.status?.callsInProgress?.find((c) => c.site === 'shanghai')?.calls, VIA_SHANGHAI_EDGE, "shanghai's edge")
    assert.equal(nantong.status?.callsInProgress?.find((c) => c.site === 'shanghai')?.calls, VIA_NANTONG_EDGE, "nantong's edge")
  })

  it('records the calls in progress to shanghai before the fault as its failover lost calls', async () => {
    await scenario.sites.sites.shanghai.kill()
    const done = await eventually(
      'the failover recorded',
      () => site('shanghai'),
      (s) => s.status?.lastFailover !== undefined,
      90_000,
    )
    const timeline = done.status?.lastFailover
    assert.equal(timeline?.callsLost, VIA_SHANGHAI_EDGE + VIA_NANTONG_EDGE)
    console.log(JSON.stringify({ callsHeld: VIA_SHANGHAI_EDGE + VIA_NANTONG_EDGE + TO_NANTONG, callsLost: timeline.callsLost }))
  })

  it('completes the held calls to nantong', async () => {
    const reports = await (held ?? Promise.reject(new Error('no calls were held')))
    const toNantong = reports[2]
    assert.equal(toNantong?.completed, TO_NANTONG)
    assert.equal(toNantong.landed.nantong, TO_NANTONG)
  })
})
