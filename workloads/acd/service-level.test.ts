import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { OutcomeWindow, serviceLevel, type Outcome } from './service-level.ts'

const minute = 60_000

describe('service level', () => {
  const now = 100 * minute
  const outcomes: Outcome[] = [
    { at: now - 20 * minute, waitedMs: 1000, kind: 'answered' }, // outside a 15-minute window
    { at: now - 10 * minute, waitedMs: 5_000, kind: 'answered' },
    { at: now - 9 * minute, waitedMs: 20_000, kind: 'answered' }, // exactly at the threshold: counts
    { at: now - 8 * minute, waitedMs: 20_001, kind: 'answered' },
    { at: now - 7 * minute, waitedMs: 3_000, kind: 'abandoned' },
    { at: now - 6 * minute, waitedMs: 120_000, kind: 'overflowed' },
  ]

  it('answered within the threshold / offered, over the window', () => {
    assert.deepEqual(serviceLevel(outcomes, now, 15 * minute, 20), {
      offered: 5,
      answered: 3,
      answeredWithinThreshold: 2,
      abandoned: 1,
      overflowed: 1,
      percent: 40,
    })
  })

  it('a wider window takes in older calls', () => {
    assert.equal(serviceLevel(outcomes, now, 30 * minute, 20).percent, 50)
  })

  it('no figure when nothing was offered', () => {
    assert.equal(serviceLevel(outcomes, now + 60 * minute, 15 * minute, 20).percent, null)
  })

  it('the window forgets outcomes as time passes', () => {
    const window = new OutcomeWindow(15 * minute)
    for (const outcome of outcomes) window.add(outcome)
    window.trim(now)
    assert.equal(window.outcomes.length, 5)
    window.trim(now + 7.5 * minute)
    assert.deepEqual(
      window.outcomes.map((o) => o.kind),
      ['abandoned', 'overflowed'],
    )
  })
})
