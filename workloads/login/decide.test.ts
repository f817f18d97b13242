import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ProjectedAgentSeat, ProjectedPhone, ProjectedPool } from '../lib/projection/decode.ts'
import { decideSignIn } from './decide.ts'
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
