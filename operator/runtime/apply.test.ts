import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { contentHash } from './apply.ts'

describe('contentHash', () => {
  it('ignores key order but not values or list order', () => {
    assert.equal(contentHash({ a: 1, b: { c: [1, 2] } }), contentHash({ b: { c: [1, 2] }, a: 1 }))
    assert.notEqual(contentHash({ a: 1 }), contentHash({ a: 2 }))
    assert.notEqual(contentHash({ c: [1, 2] }), contentHash({ c: [2, 1] }))
  })
})
