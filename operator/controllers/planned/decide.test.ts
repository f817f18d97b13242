import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { movesComplete, planPinning, planSwitchover, progressOf, type SwitchoverRecord } from './decide.ts'

const now = new Date('2026-01-01T00:00:00.123Z')
const since = '2026-01-01T00:00:00Z'
const plan = (traffic: 'Active' | 'Drain' | 'Fenced', recorded?: SwitchoverRecord, failedOver = false) =>
  planSwitchover({ traffic, recorded, failedOver, site: 'a', others: ['a', 'b', 'c'], now })

describe('planSwitchover', () => {
  it('does nothing for a site that was never switched over', () => {
    assert.deepEqual(plan('Active'), { record: undefined, edges: 'leave', start: [], began: false })
  })

  it('Drain: edges inactive and a drain takeover at every other site; Fenced: fence', () => {
    assert.deepEqual(plan('Drain'), {
      record: { traffic: 'Drain', since, edges: 'Pending' },
      edges: 'inactive',
      mode: 'drain',
      start: [
        { site: 'a', at: 'b' },
        { site: 'a', at: 'c' },
      ],
      began: true,
    })
    assert.equal(plan('Fenced').mode, 'fence')
  })

  it('goes on with a switchover in progress: only the takeovers not started yet', () => {
    const recorded: SwitchoverRecord = {
      traffic: 'Drain',
      since: 'earlier',
      edges: 'Inactive',
      takeovers: [{ site: 'a', at: 'b', id: 't1' }],
    }
    const next = plan('Drain', recorded)
    assert.equal(next.began, false)
    assert.equal(next.record, recorded)
    assert.deepEqual(next.start, [{ site: 'a', at: 'c' }])
  })

  it('Drain to Fenced starts over with fence takeovers', () => {
    const recorded: SwitchoverRecord = {
      traffic: 'Drain',
      since: 'earlier',
      edges: 'Inactive',
      takeovers: [{ site: 'a', at: 'b', id: 't1' }],
    }
    const next = plan('Fenced', recorded)
    assert.equal(next.began, true)
    assert.equal(next.mode, 'fence')
    assert.equal(next.start.length, 2)
    assert.equal(next.record?.takeovers, undefined)
  })

  it('back to Active: edges active, keeping the figures of the drain', () => {
    const recorded: SwitchoverRecord = { traffic: 'Drain', since: 'earlier', edges: 'Inactive', agentsMoved: 5, agentsInstructed: 5 }
    const next = plan('Active', recorded)
    assert.deepEqual(next, {
      record: { traffic: 'Active', since, edges: 'Pending', agentsMoved: 5, agentsInstructed: 5 },
      edges: 'active',
      start: [],
      began: true,
    })
    assert.deepEqual(plan('Active', { traffic: 'Active', since, edges: 'Active' }).edges, 'leave')
  })

  it('back to Active while failed over: the edges stay as the failover left them until it is restored', () => {
    const recorded: SwitchoverRecord = { traffic: 'Drain', since: 'earlier', edges: 'Inactive' }
    const kept = plan('Active', recorded, true)
    assert.equal(kept.edges, 'leave')
    assert.equal(kept.record?.edges, 'KeptInactive')
    const restored = plan('Active', kept.record, false)
    assert.equal(restored.edges, 'active')
    assert.equal(restored.began, false)
  })
})

describe('planPinning', () => {
  const pin = (pinnedSite: string | undefined, recorded?: Parameters<typeof planPinning>[0]['recorded'], acting = true) =>
    planPinning({ pinnedSite, recorded, from: ['a', 'b', 'c'], acting, now })

  it('a drain takeover at the pinned site for each other site', () => {
    assert.deepEqual(pin('b'), {
      record: { site: 'b', since },
      start: [
        { site: 'a', at: 'b' },
        { site: 'c', at: 'b' },
      ],
      began: true,
    })
  })

  it('starts only what is missing, and nothing when another operator acts at the pinned site', () => {
    const recorded = { site: 'b', since: 'earlier', takeovers: [{ site: 'a', at: 'b', id: 't1' }] }
    assert.deepEqual(pin('b', recorded).start, [{ site: 'c', at: 'b' }])
    assert.deepEqual(pin('b', undefined, false).start, [])
  })

  it('a new pinned site starts over; unpinning records it once and moves nobody', () => {
    const recorded = { site: 'b', since: 'earlier', takeovers: [{ site: 'a', at: 'b', id: 't1' }] }
    assert.deepEqual(pin('c', recorded).start, [
      { site: 'a', at: 'c' },
      { site: 'b', at: 'c' },
    ])
    assert.deepEqual(pin(undefined, recorded), { record: { since }, start: [], began: true })
    assert.deepEqual(pin(undefined, { since }), { record: { since }, start: [], began: false })
    assert.deepEqual(pin(undefined), { record: undefined, start: [], began: false })
  })
})

describe('progress', () => {
  it('sums the reports, or keeps the previous figures when one could not be read', () => {
    assert.deepEqual(
      progressOf([
        { instructed: 3, relogged: 2 },
        { instructed: 1, relogged: 1 },
      ]),
      { agentsInstructed: 4, agentsMoved: 3 },
    )
    assert.equal(progressOf([{ instructed: 3, relogged: 2 }, undefined]), undefined)
    assert.equal(progressOf([]), undefined)
  })

  it('is complete once every instructed agent moved', () => {
    assert.equal(movesComplete({ agentsInstructed: 3, agentsMoved: 3 }), true)
    assert.equal(movesComplete({ agentsInstructed: 3, agentsMoved: 2 }), false)
    assert.equal(movesComplete({}), true)
  })
})
