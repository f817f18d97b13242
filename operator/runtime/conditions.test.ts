import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setConditions } from './conditions.ts'

describe('setConditions', () => {
  const t0 = new Date('2026-11-22T01:00:00.123Z')
  const t1 = new Date('2026-11-22T02:00:00Z')

  it('keeps lastTransitionTime while the status stays, and moves it when the status changes', () => {
    const first = setConditions(undefined, [{ type: 'Ready', status: 'True', reason: 'Provisioned', message: 'ok' }], 1, t0)
    assert.equal(first[0]?.lastTransitionTime, '2026-11-22T01:00:00Z')
    const [same] = setConditions(first, [{ type: 'Ready', status: 'True', reason: 'Provisioned', message: 'still ok' }], 2, t1)
    assert.ok(same)
    assert.equal(same.lastTransitionTime, '2026-11-22T01:00:00Z')
    assert.equal(same.observedGeneration, 2)
    const [changed] = setConditions([same], [{ type: 'Ready', status: 'False', reason: 'UnknownSite', message: 'no site x' }], 2, t1)
    assert.equal(changed?.lastTransitionTime, '2026-11-22T02:00:00Z')
  })
})
