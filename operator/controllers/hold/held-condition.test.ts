import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Condition } from '../../runtime/conditions.ts'
import type { Decision } from './admit.ts'
import { heldEvent, pinHeldCondition, siteHeldCondition } from './held-condition.ts'

const since = '2026-05-01T10:00:00Z'
const decision = (part: Partial<Decision>): Decision => ({
  admitted: { traffic: 'Active', since },
  went: [],
  held: [],
  others: [{ name: 'b', serving: false, state: 'Fenced' }],
  ...part,
})
const asCondition = (input: NonNullable<ReturnType<typeof siteHeldCondition>>): Condition => ({ ...input, lastTransitionTime: since })

describe('the Held condition of a Site', () => {
  it('held: names what, the other sites and their states, how it goes ahead and the override', () => {
    const held = siteHeldCondition('a', decision({ held: ['spec.traffic Fenced', 'drill q1 (SiteDown)'] }), undefined)
    assert.deepEqual(held, {
      type: 'Held',
      status: 'True',
      reason: 'LastServingSite',
      message:
        'spec.traffic Fenced and drill q1 (SiteDown) held: site a is the last site serving (b: Fenced). It goes ahead by itself once another site serves again; set the spec back to withdraw it, or let it go ahead now: kubectl annotate site a callcenter.dev/allow-blackout="<reason>"',
    })
    assert.deepEqual(heldEvent(undefined, held), { type: 'Warning', reason: 'Held', action: 'Hold', note: held.message })
    assert.equal(heldEvent(asCondition(held), held), undefined, 'the same hold: no second Event')
  })

  it('afterwards: Released naming who serves, Withdrawn, or Overridden with the reason; nothing for a site never held', () => {
    const previous = asCondition({ type: 'Held', status: 'True', reason: 'LastServingSite', message: 'm' })
    const released = siteHeldCondition(
      'a',
      decision({ went: ['spec.traffic Fenced'], others: [{ name: 'b', serving: true, state: 'serving' }] }),
      previous,
    )
    assert.deepEqual(released, {
      type: 'Held',
      status: 'False',
      reason: 'Released',
      message: 'spec.traffic Fenced went ahead: b serves again',
    })
    assert.deepEqual(heldEvent(previous, released), { type: 'Normal', reason: 'Released', action: 'Hold', note: released.message })
    assert.equal(siteHeldCondition('a', decision({}), previous)?.reason, 'Withdrawn')
    const overridden = siteHeldCondition(
      'a',
      decision({ went: ['the deletion'], overridden: { reason: 'CHG-1', what: ['the deletion'] } }),
      previous,
    )
    assert.deepEqual(overridden, {
      type: 'Held',
      status: 'False',
      reason: 'Overridden',
      message: 'the deletion went ahead although no other site serves (b: Fenced): callcenter.dev/allow-blackout="CHG-1"',
    })
    assert.equal(heldEvent(previous, overridden)?.reason, 'BlackoutAllowed')
    assert.equal(heldEvent(previous, overridden)?.type, 'Warning')
    assert.equal(siteHeldCondition('a', decision({ went: ['spec.traffic Drain'] }), undefined), undefined)
    const after = asCondition({ type: 'Held', status: 'False', reason: 'Released', message: 'r' })
    assert.deepEqual(siteHeldCondition('a', decision({ went: ['spec.traffic Active'] }), after), {
      type: 'Held',
      status: 'False',
      reason: 'Released',
      message: 'r',
    })
  })
})

describe('the Held condition of a SkillGroup', () => {
  it('held, then released once the pin takes effect, or withdrawn when unpinned', () => {
    const held = pinHeldCondition('hotel', { asked: 'b', held: 'site b is Fenced' }, undefined)
    assert.ok(held)
    assert.equal(held.status, 'True')
    assert.equal(held.reason, 'PinnedSiteNotServing')
    assert.match(
      held.message,
      /^the pin to site b is held: site b is Fenced, so the group would have nowhere to run;.*kubectl annotate skillgroup hotel callcenter\.dev\/allow-blackout="<reason>"$/,
    )
    const previous = asCondition(held)
    assert.deepEqual(pinHeldCondition('hotel', { asked: 'b', inEffect: 'b' }, previous), {
      type: 'Held',
      status: 'False',
      reason: 'Released',
      message: 'the pin to site b took effect: it serves again',
    })
    assert.equal(pinHeldCondition('hotel', {}, previous)?.reason, 'Withdrawn')
    assert.equal(pinHeldCondition('hotel', { asked: 'b', inEffect: 'b' }, undefined), undefined)
  })
})
