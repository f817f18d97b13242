import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { validAgentSeat, validPhoneMAC, validSite, validSkillGroup } from '../../../crds/catalog/valid.ts'
import { membershipKey, planProjection, type StoredState } from './plan.ts'
import {
  agentSeatProjection,
  agentSeatTarget,
  phoneMACProjection,
  siteProjection,
  skillGroupProjection,
  skillGroupTarget,
  type ProjectedObject,
} from './records.ts'

const empty = (): StoredState => ({ entries: new Map(), pointers: new Map(), members: new Map() })

/** What Redis holds once `object` was written whole. */
function storedAfter(object: ProjectedObject): StoredState {
  const members = new Map(object.memberships.map(({ key, member }) => [membershipKey(key, member), true]))
  return { entries: new Map(object.values), pointers: new Map(object.pointers), members }
}

describe('projection plan (pure)', () => {
  it('writes a new AgentSeat whole: its hash and its account pointer, and announces an upsert', () => {
    const plan = planProjection(agentSeatProjection(validAgentSeat()), empty())
    assert.ok(plan)
    assert.deepEqual(
      plan.put.map((put) => put.key),
      ['cc:seat:A10001'],
    )
    const put = plan.put[0]?.value
    assert.ok(put?.type === 'hash', 'an AgentSeat is a hash')
    assert.equal(put.fields.skills, JSON.stringify([{ skillGroup: 'hotel', proficiency: 8 }]))
    assert.deepEqual(plan.point, [{ key: 'cc:account:zhang.wei@travel.example', value: 'A10001' }])
    assert.deepEqual(plan.change, { kind: 'AgentSeat', name: 'A10001', op: 'upsert' })
  })

  it('plans nothing when Redis already holds the object', () => {
    for (const object of [
      agentSeatProjection(validAgentSeat()),
      phoneMACProjection(validPhoneMAC()),
      skillGroupProjection(validSkillGroup()),
      siteProjection(validSite()),
    ]) {
      assert.equal(planProjection(object, storedAfter(object)), null, object.kind)
    }
  })

  it('moves the account pointer when the account changes, deleting the old one only if it still points here', () => {
    const before = agentSeatProjection(validAgentSeat())
    const seat = validAgentSeat()
    seat.spec.account = 'Wei.Zhang@Travel.example'
    seat.metadata.generation = 2
    const plan = planProjection(agentSeatProjection(seat), storedAfter(before))
    assert.ok(plan)
    assert.deepEqual(plan.point, [{ key: 'cc:account:wei.zhang@travel.example', value: 'A10001' }])
    assert.deepEqual(plan.unpoint, [{ key: 'cc:account:zhang.wei@travel.example', value: 'A10001' }])

    const takenMeanwhile = storedAfter(before)
    takenMeanwhile.pointers.set('cc:account:zhang.wei@travel.example', 'A99999')
    assert.deepEqual(planProjection(agentSeatProjection(seat), takenMeanwhile)?.unpoint, [])
  })

  it('drops the PC and extension pointers a phone no longer has', () => {
    const before = phoneMACProjection(validPhoneMAC())
    const phone = validPhoneMAC()
    phone.spec.pcHostName = 'SH-PC-0002'
    phone.spec.extensions = [{ site: 'shanghai', extension: '8002', line: 'A' }]
    const plan = planProjection(phoneMACProjection(phone), storedAfter(before))
    assert.ok(plan)
    assert.deepEqual(plan.point.map((p) => p.key).sort(), ['cc:ext:shanghai:8002', 'cc:pc:sh-pc-0002'])
    assert.deepEqual(plan.unpoint.map((p) => p.key).sort(), ['cc:ext:nantong:6001', 'cc:ext:shanghai:8001', 'cc:pc:sh-pc-0001'])
  })

  it('removes an object: its entries, its pointers that still point at it, and its index membership', () => {
    const seat = agentSeatProjection(validAgentSeat())
    const plan = planProjection(agentSeatTarget('A10001'), storedAfter(seat))
    assert.ok(plan)
    assert.deepEqual(plan.del, ['cc:seat:A10001'])
    assert.deepEqual(plan.unpoint, [{ key: 'cc:account:zhang.wei@travel.example', value: 'A10001' }])
    assert.equal(plan.change.op, 'delete')

    const group = skillGroupProjection(validSkillGroup())
    const removal = planProjection(skillGroupTarget('hotel'), storedAfter(group))
    assert.deepEqual(removal?.srem, [{ key: 'cc:skillgroups', member: 'hotel' }])
    assert.equal(planProjection(skillGroupTarget('hotel'), empty()), null)
  })

  it("rewrites a Site's state when its spec.traffic changes, and adds a Site missing from the site index", () => {
    const site = validSite()
    const before = siteProjection(site)
    site.spec.traffic = 'Drain'
    const plan = planProjection(siteProjection(site), storedAfter(before))
    const put = plan?.put.find((item) => item.key === 'cc:site:shanghai')?.value
    assert.deepEqual(put, { type: 'string', value: JSON.stringify({ site: 'shanghai', traffic: 'Drain', health: 'Unknown' }) })

    const unindexed = storedAfter(before)
    unindexed.members.clear()
    assert.deepEqual(planProjection(before, unindexed)?.sadd, [{ key: 'cc:sites', member: 'shanghai' }])
  })

  it('rewrites a Site when only its status health changed (no new generation)', () => {
    const site = validSite()
    const before = siteProjection(site)
    site.status = { health: 'Failed' }
    const plan = planProjection(siteProjection(site), storedAfter(before))
    assert.deepEqual(
      plan?.put.map((put) => put.key),
      ['cc:site:shanghai'],
    )
  })
})
