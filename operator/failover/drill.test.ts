import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Value } from 'typebox/value'
import { SiteStatus } from '../../crds/schema/site.ts'
import {
  completeDrill,
  drillFaults,
  drillStoppedComponents,
  partitionHealAfterSeconds,
  partitionHealMarginSeconds,
  planDrill,
  restoreTimeoutMs,
  type DrillInput,
  type DrillScenario,
  type LastDrill,
} from './drill.ts'

const t0 = Date.parse('2025-03-01T09:00:00.000Z')
const at = (seconds: number) => new Date(t0 + seconds * 1000)
const drill = { name: 'q1-site-down', scenario: 'SiteDown' as const, durationSeconds: 60 }
const plan = (input: Partial<DrillInput> & { now: Date }) => planDrill({ site: 'site-a', drill, ...input })
const started = () => plan({ now: at(0) }).lastDrill as LastDrill

describe('drill faults per scenario', () => {
  const table: [DrillScenario, string[]][] = [
    ['SiteDown', ['stop:softswitch', 'stop:edge', 'stop:acd', 'stop:login', 'stop:cti']],
    ['EdgeDown', ['stop:edge']],
    ['SoftswitchDown', ['stop:softswitch']],
    ['LoginDown', ['stop:login']],
    ['HeartbeatLoss', ['dropProbes']],
    ['Partition', ['partition']],
  ]
  for (const [scenario, faults] of table)
    it(scenario, () => {
      assert.deepEqual(
        drillFaults(scenario).map((f) => (f.kind === 'stop' ? `stop:${f.component}` : f.kind)),
        faults,
      )
    })
})

describe('drill plan', () => {
  it('does nothing without a drill', () => {
    assert.deepEqual(planDrill({ site: 'site-a', now: at(0) }), { lastDrill: undefined, inject: [], restore: [] })
  })

  it('starts a drill with a new name: Running, faults injected, timeline begun, back at its end', () => {
    const result = plan({ now: at(0) })
    assert.deepEqual(result.lastDrill, {
      name: 'q1-site-down',
      state: 'Running',
      scenario: 'SiteDown',
      timeline: { id: 'site-a-drill-q1-site-down', reason: 'drill q1-site-down: SiteDown for 60 s', fault: at(0).toISOString() },
    })
    assert.deepEqual(result.inject, drillFaults('SiteDown'))
    assert.equal(result.requeueAfterMs, 60_000)
    assert.equal(result.event?.reason, 'DrillStarted')
    assert.ok(Value.Check(SiteStatus, { lastDrill: result.lastDrill }), 'fits status.lastDrill')
  })

  it('while Running keeps asking for the fault, with the time left, and changes no status', () => {
    const running = started()
    const result = plan({ lastDrill: running, now: at(45) })
    assert.equal(result.lastDrill, running)
    assert.deepEqual(result.inject, drillFaults('SiteDown'))
    assert.deepEqual(result.restore, [])
    assert.equal(result.requeueAfterMs, 15_000)
    assert.equal(result.event, undefined)
  })

  it('at fault + durationSeconds moves to Restoring, lifts the fault and stamps restored', () => {
    const result = plan({ lastDrill: started(), now: at(60) })
    assert.equal(result.lastDrill?.state, 'Restoring')
    assert.equal(result.lastDrill.timeline.restored, at(60).toISOString())
    assert.deepEqual(result.inject, [])
    assert.deepEqual(result.restore, drillFaults('SiteDown'))
    assert.equal(result.event?.reason, 'DrillRestoring')
  })

  it('Restoring keeps asking for the restore until completeDrill, then Completed', () => {
    const restoring = plan({ lastDrill: started(), now: at(60) }).lastDrill as LastDrill
    const again = plan({ lastDrill: restoring, now: at(70) })
    assert.equal(again.lastDrill, restoring)
    assert.deepEqual(again.restore, drillFaults('SiteDown'))
    const done = completeDrill(restoring)
    assert.equal(done.lastDrill.state, 'Completed')
    assert.equal(done.event?.reason, 'DrillCompleted')
    assert.deepEqual(
      plan({ lastDrill: done.lastDrill, now: at(80) }),
      { lastDrill: done.lastDrill, inject: [], restore: [] },
      'a finished drill is not re-run',
    )
  })

  it('fails a drill whose restore is not applied within the restore timeout', () => {
    const restoring = plan({ lastDrill: started(), now: at(60) }).lastDrill as LastDrill
    assert.equal(plan({ lastDrill: restoring, now: new Date(at(60).getTime() + restoreTimeoutMs - 1) }).lastDrill?.state, 'Restoring')
    const failed = plan({ lastDrill: restoring, now: new Date(at(60).getTime() + restoreTimeoutMs) })
    assert.equal(failed.lastDrill?.state, 'Failed')
    assert.equal(failed.event?.warning, true)
  })

  it('completeDrill leaves a drill that is not Restoring alone', () => {
    const running = started()
    assert.deepEqual(completeDrill(running), { lastDrill: running })
  })

  it('restores early, every possible fault, when the drill is removed mid-run', () => {
    const result = planDrill({ site: 'site-a', lastDrill: started(), now: at(10) })
    assert.equal(result.lastDrill?.state, 'Restoring')
    assert.equal(result.restore.length, 7)
    assert.match(result.event?.note ?? '', /removed or renamed/)
  })

  it('a new name mid-run restores the old run first and starts the new one only after it completed', () => {
    const renamed = { ...drill, name: 'q1-partition', scenario: 'Partition' as const }
    const first = planDrill({ site: 'site-a', drill: renamed, lastDrill: started(), now: at(10) })
    assert.equal(first.lastDrill?.name, 'q1-site-down')
    assert.equal(first.lastDrill.state, 'Restoring')
    assert.deepEqual(first.inject, [])
    const next = planDrill({ site: 'site-a', drill: renamed, lastDrill: completeDrill(first.lastDrill).lastDrill, now: at(11) })
    assert.equal(next.lastDrill?.name, 'q1-partition')
    assert.deepEqual(next.inject, [{ kind: 'partition' }])
  })

  it('uses the current durationSeconds when it is edited mid-run', () => {
    const result = planDrill({ site: 'site-a', drill: { ...drill, durationSeconds: 30 }, lastDrill: started(), now: at(30) })
    assert.equal(result.lastDrill?.state, 'Restoring')
  })

  it('is idempotent across operator restarts: a status read back from JSON gives the same plan', () => {
    for (const seconds of [0, 30, 59.999, 60, 200]) {
      const running = started()
      const before = plan({ lastDrill: running, now: at(seconds) })
      const after = plan({ lastDrill: JSON.parse(JSON.stringify(running)) as LastDrill, now: at(seconds) })
      assert.deepEqual(after, before, `at ${seconds} s`)
    }
  })
})

describe('components a drill stops while it runs', () => {
  it('are the scenario stop faults while the drill named in spec is Running, and none otherwise', () => {
    const running = started()
    assert.deepEqual(drillStoppedComponents(drill, running), ['softswitch', 'edge', 'acd', 'login', 'cti'])
    assert.deepEqual(drillStoppedComponents({ ...drill, scenario: 'LoginDown' }, running), ['login'])
    assert.deepEqual(drillStoppedComponents({ ...drill, scenario: 'HeartbeatLoss' }, running), [])
    assert.deepEqual(drillStoppedComponents(drill, { ...running, state: 'Restoring' }), [], 'restoring: scaled back')
    assert.deepEqual(drillStoppedComponents({ ...drill, name: 'renamed' }, running), [], 'renamed mid-run: restored early')
    assert.deepEqual(drillStoppedComponents(undefined, running), [], 'removed mid-run: restored early')
    assert.deepEqual(drillStoppedComponents(drill, undefined), [], 'not started yet')
  })
})

describe('how long a Partition drill lets the drill agent keep the network cut', () => {
  const running: LastDrill = { name: 'p1', state: 'Running', timeline: { id: 'site-a-drill-p1', reason: 'r', fault: at(0).toISOString() } }
  const table: [string, number, number][] = [
    ['at the start: the whole drill', 0, 60 + partitionHealMarginSeconds],
    ['asked again after an operator restart: what is left, rounded up', 44.2, 16 + partitionHealMarginSeconds],
    ['past the end (restore pending): the margin alone', 75, partitionHealMarginSeconds],
  ]
  for (const [name, seconds, expected] of table)
    it(name, () => {
      assert.equal(partitionHealAfterSeconds(running, 60, at(seconds)), expected)
    })
  it('without a fault time, from now', () => {
    const unstarted: LastDrill = { ...running, timeline: { id: 'x', reason: 'r' } }
    assert.equal(partitionHealAfterSeconds(unstarted, 10, at(5)), 10 + partitionHealMarginSeconds)
  })
})
