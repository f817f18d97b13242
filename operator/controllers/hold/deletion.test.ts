import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site } from '../../../crds/types.ts'
import { externalSite } from '../testing/external-site.ts'
import { deletionStep } from './deletion.ts'

const wentAhead = '2026-05-01T10:00:00Z'
const after = (seconds: number) => new Date(Date.parse(wentAhead) + seconds * 1000)
const deleted = (status: Site['status']): Site => {
  const site = externalSite('a', 'cc')
  return { ...site, metadata: { ...site.metadata, deletionTimestamp: wentAhead }, status }
}
const TEN_MINUTES = 600_000

describe('deletionStep', () => {
  it('waits while the hold controller has not let the deletion go ahead', () => {
    assert.deepEqual(deletionStep(deleted({ agents: { hosted: 0 } }), after(0), TEN_MINUTES, true), { kind: 'held' })
    assert.deepEqual(deletionStep(deleted({ admitted: { traffic: 'Active', since: wentAhead } }), after(0), TEN_MINUTES, true), {
      kind: 'held',
    })
  })

  it('drains while agents are signed in there, until none is or the timeout passed', () => {
    const admitted = { traffic: 'Active' as const, deletion: wentAhead, since: wentAhead }
    assert.deepEqual(deletionStep(deleted({ admitted, agents: { hosted: 12 } }), after(5), TEN_MINUTES, true), {
      kind: 'draining',
      agents: 12,
      checkAgainInMs: 30_000,
    })
    assert.deepEqual(deletionStep(deleted({ admitted, agents: { hosted: 12 } }), after(590), TEN_MINUTES, true), {
      kind: 'draining',
      agents: 12,
      checkAgainInMs: 10_000,
    })
    assert.deepEqual(deletionStep(deleted({ admitted, agents: { hosted: 2 } }), after(600), TEN_MINUTES, true), {
      kind: 'cleanUp',
      agentsLeft: 2,
    })
    assert.deepEqual(deletionStep(deleted({ admitted, agents: { hosted: 0 } }), after(5), TEN_MINUTES, true), {
      kind: 'cleanUp',
      agentsLeft: 0,
    })
    assert.deepEqual(
      deletionStep(deleted({ admitted }), after(0), TEN_MINUTES, true),
      { kind: 'cleanUp', agentsLeft: 0 },
      'never counted: nobody there',
    )
    assert.deepEqual(
      deletionStep(deleted({ admitted, agents: { hosted: 12 } }), after(5), TEN_MINUTES, false),
      { kind: 'cleanUp', agentsLeft: 0 },
      'a teardown: nowhere to move them',
    )
  })
})
