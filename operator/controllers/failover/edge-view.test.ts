import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DestinationState, EdgeDestination } from '../../../workloads/edge/index.ts'
import { edgeSeesSiteDown } from './edge-view.ts'

const destination = (site: string, state: DestinationState, n = 1): EdgeDestination => ({
  set: 1,
  uri: `sip:${site}-fs${n}:5060`,
  site,
  duid: `${site}-fs${n}`,
  state,
  probing: true,
  priority: 0,
  weight: 50,
})

describe("a surviving edge's opinion of a suspect site", () => {
  it('is down only when no destination of the site is active', () => {
    assert.equal(
      edgeSeesSiteDown([destination('a', 'inactive'), destination('a', 'trying', 2), destination('b', 'active')], 'a', false),
      true,
    )
    assert.equal(edgeSeesSiteDown([destination('a', 'inactive'), destination('a', 'active', 2)], 'a', false), false, 'one still answers')
    assert.equal(edgeSeesSiteDown([destination('b', 'active')], 'a', false), false, 'an edge that routes nothing there has no opinion')
  })

  it('takes destinations disabled by hand as down while the site is meant to take traffic (an unrecorded flip)', () => {
    assert.equal(edgeSeesSiteDown([destination('a', 'disabled'), destination('a', 'disabled', 2)], 'a', false), true)
  })

  it('takes them as no opinion when the site is drained or fenced on purpose', () => {
    assert.equal(edgeSeesSiteDown([destination('a', 'disabled'), destination('a', 'disabled', 2)], 'a', true), false)
    assert.equal(edgeSeesSiteDown([destination('a', 'disabled'), destination('a', 'inactive', 2)], 'a', true), true)
  })
})
