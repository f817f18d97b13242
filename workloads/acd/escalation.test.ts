import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nextEscalationAfterMs, overflowTarget, routingAfter, type OverflowInput } from './escalation.ts'

const escalation = [
  { afterSeconds: 60, addSkillGroups: ['hotel'] },
  { afterSeconds: 30, priorityBoost: 2, minimumProficiency: 5 },
  { afterSeconds: 90, priorityBoost: 3, minimumProficiency: 3, addSkillGroups: ['hotel', 'vacation'] },
]

describe('timed escalation', () => {
  it('nothing applies before the first step', () => {
    assert.deepEqual(routingAfter({ escalation }, 'flight', 29_999), { skillGroups: ['flight'], priorityBoost: 0, stepsApplied: 0 })
  })

  it('steps apply in afterSeconds order whatever their order in the spec', () => {
    assert.deepEqual(routingAfter({ escalation }, 'flight', 30_000), {
      skillGroups: ['flight'],
      priorityBoost: 2,
      minimumProficiency: 5,
      stepsApplied: 1,
    })
    assert.deepEqual(routingAfter({ escalation }, 'flight', 60_000).skillGroups, ['flight', 'hotel'])
  })

  it('later steps add to earlier ones: groups accumulate without duplicates, boosts add up, the latest floor wins', () => {
    assert.deepEqual(routingAfter({ escalation }, 'flight', 95_000), {
      skillGroups: ['flight', 'hotel', 'vacation'],
      priorityBoost: 5,
      minimumProficiency: 3,
      stepsApplied: 3,
    })
  })

  it('says when the next step is due', () => {
    assert.equal(nextEscalationAfterMs({ escalation }, 0), 30_000)
    assert.equal(nextEscalationAfterMs({ escalation }, 2), 90_000)
    assert.equal(nextEscalationAfterMs({ escalation }, 3), undefined)
  })
})

function input(overrides: Partial<OverflowInput>): OverflowInput {
  return {
    spec: { overflow: { afterSeconds: 120, skillGroup: 'vacation' } },
    skillGroup: 'hotel',
    site: 'shanghai',
    waitedMs: 0,
    waitingAhead: 0,
    visitedGroups: ['hotel'],
    ...overrides,
  }
}

describe('overflow', () => {
  it('none before afterSeconds, to the group at afterSeconds', () => {
    assert.deepEqual(overflowTarget(input({ waitedMs: 119_999 })), { kind: 'none' })
    assert.deepEqual(overflowTarget(input({ waitedMs: 120_000 })), { kind: 'skillGroup', skillGroup: 'vacation' })
  })

  it('to another site (same group there unless one is named)', () => {
    const spec = { overflow: { afterSeconds: 180, site: 'nantong' } }
    assert.deepEqual(overflowTarget(input({ spec, waitedMs: 180_000 })), { kind: 'site', site: 'nantong', skillGroup: 'hotel' })
    const both = { overflow: { afterSeconds: 180, site: 'nantong', skillGroup: 'vip' } }
    assert.deepEqual(overflowTarget(input({ spec: both, waitedMs: 180_000 })), { kind: 'site', site: 'nantong', skillGroup: 'vip' })
  })

  it('overflow to its own site is no overflow', () => {
    assert.deepEqual(overflowTarget(input({ spec: { overflow: { afterSeconds: 1, site: 'shanghai' } }, waitedMs: 5000 })), { kind: 'none' })
  })

  it('a full queue overflows at once', () => {
    const spec = { overflow: { afterSeconds: 120, skillGroup: 'vacation' }, maxQueueLength: 3 }
    assert.deepEqual(overflowTarget(input({ spec, waitingAhead: 2 })), { kind: 'none' })
    assert.deepEqual(overflowTarget(input({ spec, waitingAhead: 3 })), { kind: 'skillGroup', skillGroup: 'vacation' })
  })

  it('never back to a group the call already waited in', () => {
    assert.deepEqual(overflowTarget(input({ waitedMs: 200_000, visitedGroups: ['vacation', 'hotel'] })), { kind: 'none' })
  })
})
