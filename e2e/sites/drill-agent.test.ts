// Each harness site's drill agent really stops (SIGKILL) and starts again (same ports, same config) the
// site's processes: Kamailio edge, SIPp soft switch, login service and ACD, all real.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { probeHttpHealth, probeSipOptions } from '../../operator/failover/probes.ts'
import type { DrillComponent } from '../../workloads/drill-agent/agent.ts'
import { DrillAgentClient } from '../../workloads/drill-agent/client.ts'
import { startTwoSites, type RunningSite, type TwoSites } from './two-sites.ts'

const PROBE_TIMEOUT_MS = 2000

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', method: 'core.version', id: 1 }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    })
    return response.ok
  } catch {
    return false
  }
}

/** Whether each component of the site answers now, at the addresses its Site manifest gives. */
async function answering(site: RunningSite): Promise<Record<Exclude<DrillComponent, 'cti'>, boolean>> {
  const [edge, softswitch, login, acd] = await Promise.all([
    rpcAnswers(site.edgeRpcUrl),
    probeSipOptions(site.softswitchSip, PROBE_TIMEOUT_MS).then((r) => r.ok),
    probeHttpHealth(site.loginUrl, PROBE_TIMEOUT_MS).then((r) => r.ok),
    probeHttpHealth(site.acdUrl, PROBE_TIMEOUT_MS).then((r) => r.ok),
  ])
  return { edge, softswitch, login, acd }
}

describe('harness drill agents stop and restart real site processes (SIPp stands in for FreeSWITCH)', () => {
  let twoSites: TwoSites
  let agent: DrillAgentClient

  before(async () => {
    twoSites = await startTwoSites({ agents: 20 })
    const secret = twoSites.secretManifests().find((s) => s.metadata.name === 'shanghai-drill-agent')
    const token = secret?.stringData.token
    assert.ok(token !== undefined, 'a Secret per site, with its token')
    agent = new DrillAgentClient(twoSites.sites.shanghai.drillAgentUrl, token)
  })
  after(() => twoSites.stop())

  it('declares each site drill agent and its Secret in the Site manifests', () => {
    for (const site of twoSites.siteManifests()) {
      const name = site.metadata.name as 'shanghai' | 'nantong'
      assert.deepEqual(site.spec.drillAgent, {
        url: twoSites.sites[name].drillAgentUrl,
        tokenSecretRef: { name: `${name}-drill-agent`, key: 'token' },
      })
      assert.equal(site.spec.components.acd.external?.url, twoSites.sites[name].acdUrl, 'a real ACD per site')
    }
  })

  it('refuses a caller without the token', async () => {
    const stranger = new DrillAgentClient(twoSites.sites.shanghai.drillAgentUrl, 'not-the-token-0123456789')
    await assert.rejects(stranger.fault('edge', 'stop'), /401/)
    assert.deepEqual(await answering(twoSites.sites.shanghai), { edge: true, softswitch: true, login: true, acd: true })
  })

  it('stops every component of one site (the other keeps running) and starts each again at the same address', async () => {
    const shanghai = twoSites.sites.shanghai
    const components = ['softswitch', 'edge', 'acd', 'login'] as const
    await Promise.all(components.map((c) => agent.fault(c, 'stop')))
    assert.deepEqual(await answering(shanghai), { edge: false, softswitch: false, login: false, acd: false })
    assert.deepEqual(await answering(twoSites.sites.nantong), { edge: true, softswitch: true, login: true, acd: true })
    assert.deepEqual((await agent.faults()).faults.map((f) => f.component).sort(), [...components].sort())

    await Promise.all(components.map((c) => agent.fault(c, 'start')))
    assert.deepEqual(await answering(shanghai), { edge: true, softswitch: true, login: true, acd: true })
    assert.deepEqual((await agent.faults()).faults, [])
  })

  it('repeats stop and start idempotently: a second stop or start changes nothing', async () => {
    const shanghai = twoSites.sites.shanghai
    await agent.fault('edge', 'stop')
    await agent.fault('edge', 'stop')
    assert.equal((await answering(shanghai)).edge, false)
    await agent.fault('edge', 'start')
    await agent.fault('edge', 'start')
    assert.equal((await answering(shanghai)).edge, true)
  })

  it('answers that the site runs no CTI bridge (nothing to stop)', async () => {
    assert.deepEqual(await agent.fault('cti', 'stop'), { applied: false, faults: [] })
  })
})
