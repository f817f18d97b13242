import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site } from '../../../crds/types.ts'
import { externalSite } from '../testing/external-site.ts'
import { decideAdmissions, type AdmissionInput } from './admit.ts'
import { ALLOW_BLACKOUT_ANNOTATION, type Admitted } from './effective.ts'

const now = new Date('2026-05-01T10:00:00.456Z')
const since = '2026-05-01T10:00:00Z'
const earlier = '2026-05-01T09:00:00Z'

type Status = NonNullable<Site['status']>
const site = (name: string, spec: Partial<Site['spec']> = {}, status: Status = {}, annotations?: Record<string, string>): Site => {
  const s = externalSite(name, 'cc', spec)
  return { ...s, metadata: { ...s.metadata, ...(annotations ? { annotations } : {}) }, status }
}
const active: Admitted = { traffic: 'Active', since: earlier }
const fenced: Admitted = { traffic: 'Fenced', since: earlier }
const decide = (...sites: AdmissionInput[]) => decideAdmissions({ sites, now })
const failedOver = { heartbeat: { failedOver: true } } as Status

describe('decideAdmissions', () => {
  it('lets a site go when another serves, and holds the last serving one', () => {
    const decisions = decide({ site: site('a', { traffic: 'Fenced' }), admitted: active }, { site: site('b'), admitted: active })
    assert.deepEqual(decisions.get('a'), {
      admitted: { traffic: 'Fenced', since },
      went: ['spec.traffic Fenced'],
      held: [],
      others: [{ name: 'b', serving: true, state: 'serving' }],
    })

    const held = decide(
      { site: site('a', { traffic: 'Fenced' }), admitted: fenced },
      { site: site('b', { traffic: 'Fenced' }), admitted: active },
    ).get('b')
    assert.deepEqual(held, {
      admitted: active,
      went: [],
      held: ['spec.traffic Fenced'],
      others: [{ name: 'a', serving: false, state: 'Fenced' }],
    })
  })

  it('both asked at once: exactly one goes, the first by name, whatever order they come in', () => {
    const a = { site: site('a', { traffic: 'Fenced' }), admitted: active }
    const b = { site: site('b', { traffic: 'Drain' }), admitted: active }
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const decisions = decide(...order)
      assert.deepEqual(decisions.get('a')?.went, ['spec.traffic Fenced'])
      assert.deepEqual(decisions.get('b')?.held, ['spec.traffic Drain'])
      assert.equal(decisions.get('b')?.admitted, active)
      assert.deepEqual(decisions.get('b')?.others, [{ name: 'a', serving: false, state: 'Fenced' }], 'counts what went ahead this round')
    }
  })

  it('counts every way a site is out: failed over, drained, being deleted, a drill running or let start', () => {
    const others: AdmissionInput[] = [
      { site: site('b', {}, failedOver), admitted: active },
      { site: site('c', { traffic: 'Drain' }), admitted: { traffic: 'Drain', since: earlier } },
      {
        site: { ...site('d'), metadata: { ...site('d').metadata, deletionTimestamp: earlier } },
        admitted: { ...active, deletion: earlier },
      },
      {
        site: site(
          'e',
          { drill: { name: 'q1', scenario: 'EdgeDown', durationSeconds: 60 } },
          {
            lastDrill: { name: 'q1', state: 'Running', scenario: 'EdgeDown', timeline: { id: 'e-drill-q1', reason: 'r' } },
          },
        ),
        admitted: { ...active, drill: 'q1' },
      },
      { site: site('f', { drill: { name: 'q2', scenario: 'Partition', durationSeconds: 60 } }), admitted: { ...active, drill: 'q2' } },
    ]
    const decision = decide(
      { site: site('a', { drill: { name: 'q3', scenario: 'SiteDown', durationSeconds: 60 } }), admitted: active },
      ...others,
    ).get('a')
    assert.deepEqual(decision?.held, ['drill q3 (SiteDown)'])
    assert.deepEqual(
      decision.others.map((o) => `${o.name}: ${o.state}`),
      ['b: failed over', 'c: Drained', 'd: being deleted', 'e: in drill q1 (EdgeDown)', 'f: starting drill q2 (Partition)'],
    )
  })

  it('a HeartbeatLoss drill, or a site under one, keeps serving; a drill that ended does not count', () => {
    const heartbeatLoss = { name: 'h1', scenario: 'HeartbeatLoss', durationSeconds: 30 } as const
    const underDrill = site(
      'b',
      { drill: heartbeatLoss },
      {
        lastDrill: { name: 'h1', state: 'Running', scenario: 'HeartbeatLoss', timeline: { id: 'x', reason: 'r' } },
      },
    )
    const decisions = decide({ site: site('a', { traffic: 'Fenced' }), admitted: active }, { site: underDrill, admitted: active })
    assert.deepEqual(decisions.get('a')?.went, ['spec.traffic Fenced'])
    const ended = site(
      'b',
      { drill: { name: 'q1', scenario: 'SiteDown', durationSeconds: 5 } },
      {
        lastDrill: { name: 'q1', state: 'Completed', scenario: 'SiteDown', timeline: { id: 'x', reason: 'r' } },
      },
    )
    assert.deepEqual(
      decide({ site: site('a', { traffic: 'Drain' }), admitted: active }, { site: ended, admitted: { ...active, drill: 'q1' } }).get('a')
        ?.went,
      ['spec.traffic Drain'],
    )
    const alone = decide({ site: site('a', { drill: heartbeatLoss }), admitted: active }).get('a')
    assert.deepEqual(alone?.held, [], 'HeartbeatLoss is never held, not even at the only site')
  })

  it('what leaves the serving sites as they are goes ahead even with nothing else serving', () => {
    const b: AdmissionInput = { site: site('b', { traffic: 'Fenced' }), admitted: fenced }
    assert.deepEqual(
      decide(
        { site: site('a', { traffic: 'Fenced' }), admitted: fenced },
        { site: site('b', { traffic: 'Fenced' }), admitted: fenced },
      ).get('a')?.went,
      [],
    )
    assert.deepEqual(
      decide({ site: site('a', { traffic: 'Active' }), admitted: fenced }, b).get('a')?.went,
      ['spec.traffic Active'],
      'back to Active',
    )
    const drainToFence = decide({ site: site('a', { traffic: 'Fenced' }), admitted: { traffic: 'Drain', since: earlier } }, b).get('a')
    assert.deepEqual(drainToFence?.went, ['spec.traffic Fenced'])
    const failed = decide({ site: site('a', { traffic: 'Fenced' }, failedOver), admitted: active }, b).get('a')
    assert.deepEqual(failed?.went, ['spec.traffic Fenced'], 'a failed-over site does not serve anyway')
  })

  it('a held change goes ahead once another site serves again (in the same round as its return), and a withdrawn one is dropped', () => {
    const asking = { site: site('b', { traffic: 'Fenced' }), admitted: active }
    const back = decide({ site: site('a', { traffic: 'Active' }), admitted: fenced }, asking)
    assert.deepEqual(back.get('a')?.went, ['spec.traffic Active'])
    assert.deepEqual(back.get('b')?.went, ['spec.traffic Fenced'])
    assert.deepEqual(back.get('b')?.admitted, { traffic: 'Fenced', since })

    const withdrawn = decide(
      { site: site('a', { traffic: 'Fenced' }), admitted: fenced },
      { site: site('b', { traffic: 'Active' }), admitted: active },
    ).get('b')
    assert.deepEqual({ went: withdrawn?.went, held: withdrawn?.held }, { went: [], held: [] })
  })

  it('the allow-blackout annotation lets the change go ahead and is recorded; a later change on its own merits clears it', () => {
    const annotated = site('b', { traffic: 'Fenced' }, {}, { [ALLOW_BLACKOUT_ANNOTATION]: ' maintenance window CHG-1 ' })
    const decision = decide({ site: site('a', { traffic: 'Fenced' }), admitted: fenced }, { site: annotated, admitted: active }).get('b')
    assert.deepEqual(decision?.admitted, { traffic: 'Fenced', since, override: 'maintenance window CHG-1' })
    assert.deepEqual(decision.overridden, { reason: 'maintenance window CHG-1', what: ['spec.traffic Fenced'] })
    const blank = site('b', { traffic: 'Fenced' }, {}, { [ALLOW_BLACKOUT_ANNOTATION]: ' ' })
    assert.deepEqual(
      decide({ site: site('a', { traffic: 'Fenced' }), admitted: fenced }, { site: blank, admitted: active }).get('b')?.held,
      ['spec.traffic Fenced'],
      'a reason is needed',
    )

    const later = decide(
      { site: site('a', { traffic: 'Fenced' }), admitted: fenced },
      { site: site('b'), admitted: decision.admitted },
    ).get('b')
    assert.deepEqual(later?.admitted, { traffic: 'Active', since })
  })

  it('deleting the last serving site is held, deleting every site (a teardown) is not', () => {
    const deleted = (name: string, spec: Partial<Site['spec']> = {}) => {
      const s = site(name, spec)
      return { ...s, metadata: { ...s.metadata, deletionTimestamp: earlier } }
    }
    const held = decide({ site: site('a', { traffic: 'Fenced' }), admitted: fenced }, { site: deleted('b'), admitted: active }).get('b')
    assert.deepEqual(held?.held, ['the deletion'])
    const allowed = decide({ site: site('a'), admitted: active }, { site: deleted('b'), admitted: active }).get('b')
    assert.deepEqual(allowed?.admitted, { traffic: 'Active', deletion: since, since })
    const teardown = decide({ site: deleted('a'), admitted: active }, { site: deleted('b'), admitted: active })
    assert.deepEqual([teardown.get('a')?.went, teardown.get('b')?.went], [['the deletion'], ['the deletion']])
    assert.deepEqual(decide({ site: deleted('a'), admitted: active }).get('a')?.went, ['the deletion'], 'the only site')
  })

  it('a site never decided for keeps its spec.traffic as it stands, and a drill waits for the decision', () => {
    const decisions = decide({ site: site('a', { traffic: 'Fenced' }), admitted: undefined }, { site: site('b'), admitted: undefined })
    assert.deepEqual(decisions.get('a'), {
      admitted: { traffic: 'Fenced', since },
      went: [],
      held: [],
      others: [{ name: 'b', serving: true, state: 'serving' }],
    })
    const drill = decide({
      site: site('a', { drill: { name: 'q1', scenario: 'SoftswitchDown', durationSeconds: 9 } }),
      admitted: undefined,
    })
    assert.deepEqual(drill.get('a')?.held, ['drill q1 (SoftswitchDown)'], 'the only site')
  })

  it("a drill let start at another operator's site counts only once its failover shows here", () => {
    const b = { site: site('b', { drill: { name: 'q1', scenario: 'SiteDown', durationSeconds: 9 } }), admitted: { ...active, drill: 'q1' } }
    const decisions = decideAdmissions({
      sites: [{ site: site('a', { traffic: 'Fenced' }), admitted: active }, b],
      now,
      drillsRunHere: (s) => s === 'a',
    })
    assert.deepEqual(decisions.get('a')?.went, ['spec.traffic Fenced'])
  })
})
