import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { contentHash, ownStatusUnchanged } from './apply.ts'

describe('contentHash', () => {
  it('ignores key order but not values or list order', () => {
    assert.equal(contentHash({ a: 1, b: { c: [1, 2] } }), contentHash({ b: { c: [1, 2] }, a: 1 }))
    assert.notEqual(contentHash({ a: 1 }), contentHash({ a: 2 }))
    assert.notEqual(contentHash({ c: [1, 2] }), contentHash({ c: [2, 1] }))
  })
})

describe('ownStatusUnchanged', () => {
  const held = { type: 'Held', status: 'True', reason: 'LastServingSite', message: 'm', lastTransitionTime: 't' }
  const ready = { type: 'Ready', status: 'True', reason: 'ComponentsReady', message: 'ok', lastTransitionTime: 't' }

  it("compares only the condition types given: another writer's conditions beside them are not a change", () => {
    assert.equal(ownStatusUnchanged({ phase: 'Ready', conditions: [ready, held] }, { conditions: [ready] }), true)
    assert.equal(ownStatusUnchanged({ conditions: [held, ready] }, { conditions: [ready, held] }), true, 'in any order')
    assert.equal(ownStatusUnchanged({ conditions: [ready] }, { conditions: [ready, held] }), false, 'a type missing live')
    assert.equal(ownStatusUnchanged({ conditions: [ready, held] }, { conditions: [{ ...ready, status: 'False' }] }), false)
  })

  it('compares the other keys whole', () => {
    assert.equal(ownStatusUnchanged({ admitted: { traffic: 'Active' } }, { admitted: { traffic: 'Active' } }), true)
    assert.equal(ownStatusUnchanged({ admitted: { traffic: 'Active' } }, { admitted: { traffic: 'Fenced' } }), false)
    assert.equal(ownStatusUnchanged({}, { admitted: { traffic: 'Active' } }), false)
  })
})
