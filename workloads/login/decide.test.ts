import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ProjectedAgentSeat, ProjectedPhone, ProjectedPool, ProjectedSiteState } from '../lib/projection/decode.ts'
import { closedSiteRefusal, decideSignIn, peerSitesFor, siteAdmits, type SignInArrival } from './decide.ts'
import { SignInError } from './errors.ts'
import { candidatePools } from './pools.ts'

const general: ProjectedPool = { name: 'general', from: 1, to: 10, skillGroups: [], leaseSeconds: 600 }
const overflow: ProjectedPool = { name: 'overflow', from: 11, to: 20, skillGroups: [], leaseSeconds: 600 }
const vip: ProjectedPool = { name: 'vip', from: 100, to: 110, skillGroups: ['vip'], leaseSeconds: 900 }
const hotel: ProjectedPool = { name: 'hotel', from: 200, to: 210, skillGroups: ['hotel', 'vip'], leaseSeconds: 600 }

const seat = (skills: string[], allowedSites: string[] = []): ProjectedAgentSeat => ({
  agentId: 'A1',
  account: 'a@x',
  homeSite: 'shanghai',
  allowedSites,
  skills: skills.map((skillGroup) => ({ skillGroup, proficiency: 5 })),
})
const phone: ProjectedPhone = { mac: 'm', pcHostName: 'PC', extensions: [{ site: 'shanghai', extension: '8001', line: 'A' }] }

describe('pool choice (pure)', () => {
  it("prefers pools dedicated to the agent's groups, in the order of its skills", () => {
    assert.deepEqual(candidatePools([general, vip, hotel], seat(['hotel', 'vip']).skills), [hotel, vip])
    assert.deepEqual(candidatePools([general, vip, hotel], seat(['vip']).skills), [vip, hotel])
  })
  it('uses the general pools only for agents without a dedicated one', () => {
    assert.deepEqual(candidatePools([general, vip, overflow], seat(['flight']).skills), [general, overflow])
    assert.deepEqual(candidatePools([vip], seat(['flight']).skills), [])
  })
})

describe('sign-in decision (pure)', () => {
  const decide = (overrides: Partial<Parameters<typeof decideSignIn>[0]>) =>
    decideSignIn({ site: 'shanghai', seat: seat(['hotel']), pcHostName: 'PC', phone, pools: [general], ...overrides })

  it("gives the phone's extension at this site and the candidate pools", () => {
    assert.deepEqual(decide({}), { extension: '8001', mac: 'm', pools: [general] })
  })
  it('refuses with a reason that says what is wrong', () => {
    const cases: [Partial<Parameters<typeof decideSignIn>[0]>, string, RegExp][] = [
      [{ seat: seat(['hotel'], ['nantong']) }, 'site-not-allowed', /may not sign in at site shanghai \(allowed: nantong\)/],
      [{ phone: null }, 'unknown-pc', /PC PC/],
      [{ site: 'nantong', seat: seat(['hotel']) }, 'no-extension', /no extension at site nantong/],
      [{ pools: [vip] }, 'no-pool', /no operator-ID pool for skill groups hotel/],
    ]
    for (const [overrides, code, message] of cases) {
      const decision = decide(overrides)
      assert.ok(decision instanceof SignInError, code)
      assert.equal(decision.code, code)
      assert.match(decision.message, message)
    }
  })
})

describe('site traffic admission (pure)', () => {
  it('opens sessions only at an Active site; a Drained one takes back only its own agents, a Fenced one nobody', () => {
    const table: [string, SignInArrival, boolean][] = [
      ['Active', 'password', true],
      ['Active', 'own-token', true],
      ['Active', 'peer-token', true],
      ['Drain', 'password', false],
      ['Drain', 'own-token', true],
      ['Drain', 'peer-token', false],
      ['Fenced', 'password', false],
      ['Fenced', 'own-token', false],
      ['Fenced', 'peer-token', false],
      ['SomethingNew', 'own-token', false],
    ]
    for (const [traffic, arrival, admitted] of table) assert.equal(siteAdmits(traffic, arrival), admitted, `${traffic} ${arrival}`)
  })

  const state = (site: string, traffic = 'Active', health = 'Healthy'): ProjectedSiteState => ({ site, traffic, health })

  it('suggests the Active, not failed peers the AgentSeat allows and the phone has a line at, the healthy ones first', () => {
    const states = [
      state('shanghai', 'Drain'),
      state('wuhan'),
      state('nantong', 'Active', 'Suspect'),
      state('beijing', 'Fenced'),
      state('xian', 'Active', 'Failed'),
      state('chengdu'),
    ]
    const lines = (...sites: string[]): ProjectedPhone => ({
      ...phone,
      extensions: sites.map((site) => ({ site, extension: '1', line: 'B' })),
    })
    const table: [ProjectedAgentSeat, ProjectedPhone | null, string[]][] = [
      [seat(['hotel']), null, ['chengdu', 'wuhan', 'nantong']],
      [seat(['hotel']), lines('shanghai', 'nantong', 'wuhan', 'xian'), ['wuhan', 'nantong']],
      [seat(['hotel']), lines('shanghai'), []],
      [seat(['hotel'], ['shanghai', 'wuhan', 'xian']), null, ['wuhan']],
      [seat(['hotel'], ['shanghai', 'beijing']), null, []],
    ]
    for (const [agent, agentPhone, expected] of table) assert.deepEqual(peerSitesFor('shanghai', states, agent, agentPhone), expected)
  })

  it('refuses with a code and a message that name the traffic state and where to sign in instead', () => {
    const table: [string, string[], string, string][] = [
      ['Drain', ['nantong'], 'site-draining', 'site shanghai is draining (spec.traffic=Drain): sign in at nantong'],
      ['Drain', ['nantong', 'wuhan'], 'site-draining', 'site shanghai is draining (spec.traffic=Drain): sign in at nantong (or wuhan)'],
      ['Fenced', ['nantong'], 'site-fenced', 'site shanghai is fenced (spec.traffic=Fenced): sign in at nantong'],
      ['Fenced', [], 'site-fenced', 'site shanghai is fenced (spec.traffic=Fenced): no other site this agent may use is Active'],
    ]
    for (const [traffic, peers, code, message] of table) {
      const refusal = closedSiteRefusal('shanghai', traffic, peers)
      assert.equal(refusal.code, code)
      assert.equal(refusal.message, message)
      assert.equal(refusal.status, 503)
    }
  })
})
