import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Value } from 'typebox/value'
import { SiteStatus } from '../../crds/schema/site.ts'
import { nearestRank } from '../../workloads/lib/percentiles.ts'
import { phaseSeconds, timelineReport, timelineSummary, type TimelineInput } from './timeline.ts'

const t0 = Date.parse('2025-03-01T09:00:00.000Z')
const iso = (ms: number) => new Date(t0 + ms).toISOString()
const marks = { fault: iso(0), suspect: iso(1000), confirmed: iso(1200), flipped: iso(1300) }

describe('nearest-rank percentiles', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1)
  const table: [string, number[], number, number][] = [
    ['p50 of 1..100', oneToHundred, 50, 50],
    ['p95 of 1..100', oneToHundred, 95, 95],
    ['p99 of 1..100', oneToHundred, 99, 99],
    ['p100 is the maximum', oneToHundred, 100, 100],
    ['p50 of ten values is the 5th', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 50, 50],
    ['p95 of ten values rounds the rank up to the 10th', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95, 100],
    ['p99 of 200 values is the 198th', Array.from({ length: 200 }, (_, i) => i + 1), 99, 198],
    ['any percentile of one value is that value', [7], 1, 7],
    ['p0 is the minimum', [3, 4], 0, 3],
  ]
  for (const [name, values, percent, expected] of table) it(name, () => assert.equal(nearestRank(values, percent), expected))
  it('refuses an empty list', () => assert.throws(() => nearestRank([], 50), RangeError))
})

describe('timeline summary for Site status', () => {
  const input: TimelineInput = {
    id: 'site-a-20250301t090000000z',
    reason: 'site-a confirmed down',
    marks,
    agents: [
      ...Array.from({ length: 99 }, (_, i) => ({ agent: `agent-${i}`, signedInAt: iso(1400 + i * 10) })),
      { agent: 'agent-slow', signedInAt: iso(7600.4) },
    ],
    callsLost: 2,
    report: 'reports/site-a.json',
  }

  it('summarises re-login times, counts and phases, and is valid as status.lastFailover', () => {
    const summary = timelineSummary(input)
    assert.deepEqual(summary, {
      id: input.id,
      reason: input.reason,
      ...marks,
      completed: iso(7600),
      agentsMoved: 100,
      agentsLost: 0,
      callsLost: 2,
      reloginMilliseconds: { p50: 1890, p95: 2340, p99: 2380, max: 7600 },
      report: 'reports/site-a.json',
    })
    assert.ok(Value.Check(SiteStatus, { lastFailover: summary }), 'fits the Timeline schema')
  })

  it('counts agents that never signed in as lost, and is then not completed', () => {
    const summary = timelineSummary({ ...input, agents: [...input.agents, { agent: 'agent-gone' }] })
    assert.equal(summary.agentsLost, 1)
    assert.equal(summary.agentsMoved, 100)
    assert.equal(summary.completed, undefined)
  })

  it('has no re-login figures when no agent moved', () => {
    const summary = timelineSummary({ ...input, agents: [{ agent: 'a' }] })
    assert.equal(summary.reloginMilliseconds, undefined)
    assert.equal(summary.agentsLost, 1)
    assert.ok(Value.Check(SiteStatus, { lastFailover: summary }))
  })

  it('clamps a sign-in stamped before the fault (clock skew) at 0 ms', () => {
    const summary = timelineSummary({ ...input, agents: [{ agent: 'a', signedInAt: iso(-40) }] })
    assert.deepEqual(summary.reloginMilliseconds, { p50: 0, p95: 0, p99: 0, max: 0 })
  })
})

describe('timeline JSON report', () => {
  it('lists every agent and the phases in time order relative to the fault', () => {
    const report = timelineReport({
      id: 'drill-1',
      reason: 'drill',
      marks: { ...marks, restored: iso(1500) },
      agents: [{ agent: 'b', signedInAt: iso(2500) }, { agent: 'a', signedInAt: iso(1800) }, { agent: 'lost' }],
      callsLost: 0,
    })
    assert.deepEqual(
      report.phases.map((p) => [p.name, p.afterFaultMs]),
      [
        ['fault', 0],
        ['suspect', 1000],
        ['confirmed', 1200],
        ['flipped', 1300],
        ['restored', 1500],
        ['firstRelogin', 1800],
      ],
    )
    assert.deepEqual(report.agents, [
      { agent: 'b', reloginMs: 2500 },
      { agent: 'a', reloginMs: 1800 },
      { agent: 'lost', reloginMs: null },
    ])
    assert.equal(report.summary.agentsLost, 1)
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report, 'plain JSON')
  })
})

describe('phase seconds of a finished timeline', () => {
  it('are the seconds from the fault to each phase reached, and the re-login p99', () => {
    const fault = '2026-03-01T09:00:00.000Z'
    const summary = timelineSummary({
      id: 'f',
      reason: 'r',
      marks: { fault, suspect: '2026-03-01T09:00:01.000Z', confirmed: '2026-03-01T09:00:01.500Z', flipped: '2026-03-01T09:00:01.750Z' },
      agents: [{ agent: 'a', signedInAt: '2026-03-01T09:00:03.000Z' }],
      callsLost: 0,
    })
    assert.deepEqual(phaseSeconds(summary), { confirmed: 1.5, flipped: 1.75, relogin_p99: 3, completed: 3 })
    assert.deepEqual(phaseSeconds({ id: 'x', reason: 'r' }), {})
  })
})
