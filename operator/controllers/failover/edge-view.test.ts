import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { softswitchDestination } from '../testing/fake-failover-io.ts'
import { edgeSeesSiteDown } from './edge-view.ts'

describe("a surviving edge's opinion of a suspect site", () => {
  it('is down only when no destination of the site is active', () => {
    assert.equal(
      edgeSeesSiteDown(
        [softswitchDestination('a', 'inactive'), softswitchDestination('a', 'trying', 2), softswitchDestination('b', 'active')],
        'a',
        false,
      ),
      true,
    )
    assert.equal(
      edgeSeesSiteDown([softswitchDestination('a', 'inactive'), softswitchDestination('a', 'active', 2)], 'a', false),
      false,
      'one still answers',
    )
    assert.equal(
      edgeSeesSiteDown([softswitchDestination('b', 'active')], 'a', false),
      false,
      'an edge that routes nothing there has no opinion',
    )
  })

  it('takes destinations disabled by hand as down while the site is meant to take traffic (an unrecorded flip)', () => {
    assert.equal(edgeSeesSiteDown([softswitchDestination('a', 'disabled'), softswitchDestination('a', 'disabled', 2)], 'a', false), true)
  })

  it('takes them as no opinion when the site is drained or fenced on purpose', () => {
    assert.equal(edgeSeesSiteDown([softswitchDestination('a', 'disabled'), softswitchDestination('a', 'disabled', 2)], 'a', true), false)
    assert.equal(edgeSeesSiteDown([softswitchDestination('a', 'disabled'), softswitchDestination('a', 'inactive', 2)], 'a', true), true)
  })
})
