// A site dies with real FreeSWITCH in the call path: calls bridged to agents at shanghai are up when every
// process of shanghai (its FreeSWITCH and CTI bridge among them) is SIGKILLed. The operator confirms the
// loss and flips; the calls that were in progress to shanghai are counted lost, the agents move to
// nantong, and new carrier calls from shanghai's callers complete at nantong's FreeSWITCH, bridged to
// agents there. Two sites of real processes, a real control plane, the operator as a process, SIPp as
// carrier and phones.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { DID } from '../../workloads/edge/testing/fixture.ts'
import { startSiteDownScenario, type SiteDownScenario } from '../failover/scenario.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually } from '../operator/operator-process.ts'
import { callRecords } from '../sites/call-records.ts'
import { startRtpEndpoint } from './rtp-endpoint.ts'
import { registerFleetPhones } from './agent-signin.ts'
import { carrierCall, startPhone, type CarrierCall, type TestPhone } from './sipp.ts'

const AGENTS = 8
const HELD_CALLS = 2
const CALLS_AFTER = 3

describe('site down with real FreeSWITCH: calls in progress counted lost, new calls answered at the survivor', () => {
  let scenario: SiteDownScenario
  let phone: TestPhone
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-reports-'))
  const held: Promise<CarrierCall>[] = []

  before(async () => {
    scenario = await startSiteDownScenario({ agents: AGENTS, reportDir, operatorName: 'callpath-site-down', softswitch: 'freeswitch' })
    // One phone process answers for every agent's line at both sites (line A at one, line B at the other).
    phone = await startPhone({ behaviour: 'answer', ringMs: 200 })
    await registerFleetPhones(scenario.sites, phone.port)
  })
  after(async () => {
    await Promise.allSettled(held)
    await phone?.stop()
    await scenario?.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  it(`holds ${HELD_CALLS} calls bridged to shanghai's agents`, async () => {
    for (let index = 0; index < HELD_CALLS; index++) {
      const media = await startRtpEndpoint()
      held.push(
        carrierCall({
          edge: scenario.sites.sites.shanghai.edgeSip,
          called: DID,
          caller: `0215550600${index}`,
          holdMs: 60_000,
          rtpPort: media.port,
        }).finally(() => media.close()),
      )
    }
    await eventually(
      'the calls are counted in progress to shanghai',
      () => site('shanghai'),
      (s) => (s.status?.callsInProgress ?? []).some((c) => c.site === 'shanghai' && c.calls === HELD_CALLS),
      30_000,
    )
    const channels = await scenario.sites.sites.shanghai.freeswitch?.api('show calls count')
    assert.match(channels ?? '', new RegExp(`^${HELD_CALLS} total`, 'm'), 'FreeSWITCH bridged both calls to agents')
  })

  it('counts the calls in progress at shanghai as lost when the whole site dies, FreeSWITCH included', async () => {
    await scenario.sites.sites.shanghai.kill()
    const failedOver = await eventually(
      'the failover recorded',
      () => site('shanghai'),
      (s) => s.status?.lastFailover !== undefined,
      90_000,
    )
    assert.equal(failedOver.status?.lastFailover?.callsLost, HELD_CALLS)
    // The soft switch is probed at its Event Socket (authenticated with the Site's Secret), not with SIP:
    // the operator's missed-heartbeat log names the Event Socket's port.
    const eslPort = scenario.sites.sites.shanghai.freeswitch?.esl.port
    const missed = (await readFile(scenario.operator.logPath, 'utf8')).split('\n').filter((line) => line.includes('site heartbeat missed'))
    assert.ok(
      missed.some((line) => new RegExp(`softswitch/fs1: [^"]*:${eslPort}\\b`).test(line)),
      `a missed probe of the Event Socket at port ${eslPort}:\n${missed.slice(0, 3).join('\n')}`,
    )
  })

  it(`answers ${CALLS_AFTER} new calls from shanghai's callers at nantong's FreeSWITCH, with agents there`, async () => {
    const nantongEdge = scenario.sites.sites.nantong.edgeSip
    const results: CarrierCall[] = []
    for (let index = 0; index < CALLS_AFTER; index++) {
      const media = await startRtpEndpoint()
      try {
        results.push(await carrierCall({ edge: nantongEdge, called: DID, caller: `0215550700${index}`, holdMs: 2000, rtpPort: media.port }))
        assert.ok(media.received() > 25, `the caller heard the agent (${media.received()} RTP packets)`)
      } finally {
        await media.close()
      }
      await delay(200)
    }
    assert.deepEqual(
      results,
      Array.from({ length: CALLS_AFTER }, () => ({ successful: 1, failed: 0 })),
    )
    const after = (await callRecords(scenario.sites.sites.nantong.redisUrl)).filter((record) => record.caller.startsWith('02155507'))
    assert.deepEqual(
      after.map((record) => [record.site, record.disposition]),
      Array.from({ length: CALLS_AFTER }, () => ['nantong', 'answered']),
    )
  })
})
