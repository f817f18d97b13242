// The whole call on real FreeSWITCH: a carrier INVITE (SIPp) through the Kamailio edge to FreeSWITCH,
// whose dialplan hands it over an outbound Event Socket to the CTI bridge; the ACD picks a signed-in
// agent and FreeSWITCH bridges the caller to that agent's phone (a SIPp UAS registered with digest
// through the edge, checked by FreeSWITCH's directory against the login service). Media is real RTP
// both ways, from endpoints of the test. Each call leaves one call record in the site's Redis stream.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import type { CallRecord } from '../../workloads/cti/call-record.ts'
import { DID, SHANGHAI_CALLER } from '../../workloads/edge/testing/fixture.ts'
import { callRecords } from '../sites/call-records.ts'
import type { SiteName } from '../sites/manifests.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'
import { startRtpEndpoint, type RtpEndpoint } from './rtp-endpoint.ts'
import { homedAt, signInWithPhone, type SignedInSeat } from './agent-signin.ts'
import { patchSkillGroup } from './skill-group-patch.ts'
import { carrierCall, registerPhone, startPhone, type PhoneBehaviour, type TestPhone } from './sipp.ts'

interface SignedInAgent extends SignedInSeat {
  phone: TestPhone
  media: RtpEndpoint
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await delay(200)
  }
}

describe('the whole call on real FreeSWITCH: carrier → edge → FreeSWITCH → CTI bridge → ACD → agent phone', () => {
  let sites: TwoSites
  const cleanups: (() => Promise<void>)[] = []
  const agents: SignedInAgent[] = []

  const acd = async <T>(site: SiteName, method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sites.sites[site].acdUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    assert.ok(response.ok, `ACD ${method} ${path} answered ${response.status}`)
    return (await response.json()) as T
  }
  const setStatus = (agent: SignedInAgent, status: 'Available' | 'Break') =>
    acd(agent.site, 'PUT', `/v1/agents/${agent.agentId}/status`, { status })

  /** Signs the n-th agent homed at `site` in at its site, its phone (answering or not) registered there. */
  async function signIn(site: SiteName, nth: number, behaviour: PhoneBehaviour): Promise<SignedInAgent> {
    const index = homedAt(sites, site)[nth]
    assert.ok(index !== undefined, `the fleet has no agent ${nth} homed at ${site}`)
    const media = await startRtpEndpoint()
    const phone = await startPhone({ behaviour, rtpPort: media.port })
    cleanups.push(
      () => phone.stop(),
      () => media.close(),
    )
    const agent = { ...(await signInWithPhone(sites, site, index, phone.port)), phone, media }
    agents.push(agent)
    return agent
  }

  async function recordOf(site: SiteName, matches: (record: CallRecord) => boolean): Promise<CallRecord> {
    return until(`a call record at ${site}`, async () => {
      return (await callRecords(sites.sites[site].redisUrl)).find(matches)
    })
  }

  before(async () => {
    sites = await startTwoSites({ agents: 8, softswitch: 'freeswitch', sessionTimeoutMs: 600_000 })
  })

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
    await sites?.stop()
  })

  it('loads exactly the files the operator renders', async () => {
    const freeswitch = sites.sites.shanghai.freeswitch
    assert.ok(freeswitch !== undefined)
    const { readFile } = await import('node:fs/promises')
    for (const [path, content] of Object.entries(freeswitch.config))
      assert.equal(await readFile(`${freeswitch.confDir}/${path}`, 'utf8'), content, path)
    assert.match(await freeswitch.api('sofia status profile callcenter'), /RUNNING/)
    assert.match(await freeswitch.api('global_getvar domain'), /^shanghai/)
  })

  it('logs to its standard output, as `kubectl logs` reads it', async () => {
    const freeswitch = sites.sites.shanghai.freeswitch
    assert.ok(freeswitch !== undefined)
    const { readFile } = await import('node:fs/promises')
    assert.match(await readFile(freeswitch.logFile, 'utf8'), /mod_sofia/)
  })

  it('refuses a phone that registers with the wrong password', async () => {
    const extension = sites.fleet.phoneMACs[homedAt(sites, 'shanghai')[3] ?? -1]?.spec.extensions.find(
      (line) => line.site === 'shanghai',
    )?.extension
    assert.ok(extension !== undefined)
    const phone = await startPhone({ behaviour: 'answer' })
    cleanups.push(() => phone.stop())
    const registered = await registerPhone({
      edge: sites.sites.shanghai.edgeSip,
      domain: 'shanghai',
      extension,
      password: 'not-the-password',
      contactPort: phone.port,
    })
    assert.equal(registered, false)
  })

  it('bridges a carrier call to the signed-in agent, with RTP both ways, one call record and a recording', async () => {
    const agent = await signIn('shanghai', 0, 'answer')
    const caller = await startRtpEndpoint()
    cleanups.push(() => caller.close())
    const holdMs = 4000
    const call = await carrierCall({
      edge: sites.sites.shanghai.edgeSip,
      called: DID,
      caller: SHANGHAI_CALLER,
      holdMs,
      rtpPort: caller.port,
    })
    assert.deepEqual(call, { successful: 1, failed: 0 })
    // 50 packets a second each way for about the hold time; the caller also heard the queue tone first.
    assert.ok(agent.media.received() > 100, `the phone received ${agent.media.received()} RTP packets`)
    assert.ok(caller.received() > 100, `the caller received ${caller.received()} RTP packets`)

    const record = await recordOf('shanghai', (r) => r.caller === SHANGHAI_CALLER && r.disposition === 'answered')
    assert.equal(record.agentId, agent.agentId)
    assert.equal(record.extension, agent.extension)
    assert.equal(record.site, 'shanghai')
    assert.equal(record.skillGroup, sites.fleet.skillGroups[0]?.metadata.name)
    assert.equal(record.trunk, sites.trunkManifests()[0]?.metadata.name)
    assert.equal(record.hangupCause, 'NORMAL_CLEARING')
    for (const field of ['queuedAt', 'offeredAt', 'answeredAt', 'bridgedAt', 'endedAt'] as const)
      assert.ok(record[field] !== undefined, `the record has ${field}`)
    const talk = Date.parse(record.endedAt) - Date.parse(record.bridgedAt ?? '')
    assert.ok(talk > holdMs - 2000 && talk < holdMs + 2000, `talk time ${talk} ms`)

    assert.ok(record.recording !== undefined && existsSync(record.recording), `recording ${record.recording}`)
    const seconds = Number(execFileSync('soxi', ['-D', record.recording], { encoding: 'utf8' }))
    assert.ok(Math.abs(seconds - talk / 1000) < 1.5, `the recording lasts ${seconds} s for ${talk} ms of talk`)
    // sox prints its statistics on standard error; the tone both ends send is about -12 dBFS.
    const stats = spawnSync('sox', [record.recording, '-n', 'stats'], { encoding: 'utf8' }).stderr
    const rms = Number(/RMS lev dB\s+(-?[\d.]+|-inf)/.exec(stats)?.[1])
    assert.ok(rms > -40, `the recording holds audio (RMS ${rms} dBFS):\n${stats}`)
  })

  it('plays a tone to a caller while no agent is free, then offers the call once one frees', async () => {
    const agent = agents[0]
    assert.ok(agent !== undefined)
    await setStatus(agent, 'Break')
    const caller = await startRtpEndpoint()
    cleanups.push(() => caller.close())
    const call = carrierCall({ edge: sites.sites.shanghai.edgeSip, called: DID, caller: '02155502222', holdMs: 9000, rtpPort: caller.port })
    await delay(4000)
    assert.ok(caller.received() > 100, `the waiting caller received ${caller.received()} RTP packets (the queue tone)`)
    const before = agent.media.received()
    await setStatus(agent, 'Available')
    assert.deepEqual(await call, { successful: 1, failed: 0 })
    assert.ok(agent.media.received() > before + 50, 'the agent talked to the caller after freeing up')
    const record = await recordOf('shanghai', (r) => r.caller === '02155502222')
    assert.equal(record.disposition, 'answered')
    assert.ok(Date.parse(record.offeredAt ?? '') - Date.parse(record.queuedAt ?? '') >= 3000, 'queued before it was offered')
  })

  it('records a caller who hangs up while queued as abandoned', async () => {
    const agent = agents[0]
    assert.ok(agent !== undefined)
    await setStatus(agent, 'Break')
    const caller = await startRtpEndpoint()
    cleanups.push(() => caller.close())
    await carrierCall({ edge: sites.sites.shanghai.edgeSip, called: DID, caller: '02155503333', holdMs: 2000, rtpPort: caller.port })
    const record = await recordOf('shanghai', (r) => r.caller === '02155503333')
    assert.equal(record.disposition, 'abandoned')
    assert.equal(record.agentId, undefined)
    await setStatus(agent, 'Available')
  })

  it('offers the call to the next agent when the first does not answer, and puts the first on Break (NoAnswer)', async () => {
    const answering = agents[0]
    assert.ok(answering !== undefined)
    await setStatus(answering, 'Break')
    const silent = await signIn('shanghai', 1, 'no-answer')
    const caller = await startRtpEndpoint()
    cleanups.push(() => caller.close())
    const call = carrierCall({ edge: sites.sites.shanghai.edgeSip, called: DID, caller: '02155504444', holdMs: 2000, rtpPort: caller.port })
    await until(`${silent.agentId} rung`, async () => {
      const state = await acd<{ state: string }>('shanghai', 'GET', `/v1/agents/${silent.agentId}`)
      return state.state === 'Reserved' ? true : undefined
    })
    await setStatus(answering, 'Available')
    assert.deepEqual(await call, { successful: 1, failed: 0 })
    const record = await recordOf('shanghai', (r) => r.caller === '02155504444')
    assert.equal(record.disposition, 'answered')
    assert.equal(record.agentId, answering.agentId)
    assert.equal(record.offers, 2)
    const first = await acd<{ status: string; statusReason?: string }>('shanghai', 'GET', `/v1/agents/${silent.agentId}`)
    assert.equal(first.status, 'Break')
    assert.equal(first.statusReason, 'NoAnswer')
  })

  it("transfers a call to another site's queue through the edge, where that site's agent answers", async () => {
    const group = sites.fleet.skillGroups[0]
    assert.ok(group !== undefined)
    const nantongAgent = await signIn('nantong', 0, 'answer')
    // Pinning the group to nantong makes shanghai's ACD hand its calls there (as the operator projects it).
    cleanups.push(await patchSkillGroup(sites.sites.shanghai.redisUrl, group.metadata.name, { pinnedSite: 'nantong' }))
    await delay(500)
    const caller = await startRtpEndpoint()
    cleanups.push(() => caller.close())
    const call = await carrierCall({
      edge: sites.sites.shanghai.edgeSip,
      called: DID,
      caller: '02155505555',
      holdMs: 3000,
      rtpPort: caller.port,
    })
    assert.deepEqual(call, { successful: 1, failed: 0 })
    const atShanghai = await recordOf('shanghai', (r) => r.caller === '02155505555')
    assert.deepEqual([atShanghai.disposition, atShanghai.transferredTo], ['transferred', 'nantong'])
    const atNantong = await recordOf('nantong', (r) => r.caller === '02155505555')
    assert.deepEqual(
      [atNantong.disposition, atNantong.agentId, atNantong.skillGroup],
      ['answered', nantongAgent.agentId, group.metadata.name],
    )
    assert.ok(nantongAgent.media.received() > 50, 'the nantong agent heard the caller')
  })
})
