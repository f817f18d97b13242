import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { badInputs, badUpdates } from './catalog/bad-inputs.ts'
import { validAgentSeat, validPhoneMAC, validSite, validSkillGroup, validTrunk } from './catalog/valid.ts'
import { formatProblems, validateResource } from './validate.ts'

describe('validators', () => {
  for (const object of [validSite(), validTrunk(), validSkillGroup(), validAgentSeat(), validPhoneMAC()]) {
    it(`accept a valid ${object.kind}`, () => {
      const result = validateResource(object)
      assert.ok(result.valid, result.valid ? '' : formatProblems(result.problems))
    })
  }

  it('accept the objects after a bad update: immutability needs the old object, which only the apiserver has', () => {
    for (const update of badUpdates) assert.equal(validateResource(update.after).valid, true, update.name)
  })

  it('accept what the rules against odd MACs, self-overflow and unordered escalation leave allowed', () => {
    const phone = validPhoneMAC()
    phone.spec.mac = '02:00:5E:10:00:01' // locally administered, but unicast
    const group = validSkillGroup()
    group.spec.overflow = { afterSeconds: 90, skillGroup: group.metadata.name, site: 'nantong' } // its own agents at another site
    group.spec.escalation = [
      { afterSeconds: 30, priorityBoost: 2 },
      { afterSeconds: 60, addSkillGroups: ['flight'] },
    ]
    for (const object of [phone, group]) {
      const result = validateResource(object)
      assert.ok(result.valid, result.valid ? '' : formatProblems(result.problems))
    }
  })

  it('refuse an object of an unknown kind, naming the kinds they know', () => {
    const result = validateResource({ apiVersion: 'callcenter.dev/v1alpha1', kind: 'Queue', metadata: { name: 'q' }, spec: {} })
    assert.ok(!result.valid)
    assert.match(formatProblems(result.problems), /kind: must be one of Site, Trunk, SkillGroup, AgentSeat, PhoneMAC, got "Queue"/)
  })

  it('refuse an object of the wrong API version', () => {
    const result = validateResource({ ...validSite(), apiVersion: 'callcenter.dev/v1' })
    assert.ok(!result.valid)
    assert.match(formatProblems(result.problems), /^apiVersion: /m)
  })

  describe('refuse every entry of the bad-input catalog at the right field with the right message', () => {
    assert.ok(badInputs.length >= 20, 'the catalog holds at least 20 bad inputs')
    for (const bad of badInputs) {
      it(bad.name, () => {
        const result = validateResource(bad.object)
        assert.ok(!result.valid, `${bad.name} was accepted`)
        const match = result.problems.find((p) => p.path === bad.path && p.message.includes(bad.message))
        assert.ok(match, `expected ${bad.path}: ...${bad.message}..., got:\n${formatProblems(result.problems)}`)
      })
    }
  })
})
