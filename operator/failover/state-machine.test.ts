import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SiteSpec } from '../../crds/schema/site.ts'
import type { Action, HeartbeatRecord, Observation } from './heartbeat-types.ts'
import { heartbeatPolicy, type HeartbeatPolicy } from './policy.ts'
import { initialHeartbeat, needsManualFailback, stepHeartbeat } from './state-machine.ts'

const subject = { site: 'site-a' }
const t0 = Date.parse('2025-03-01T09:00:00.000Z')
const at = (seconds: number) => new Date(t0 + seconds * 1000)
const iso = (seconds: number) => at(seconds).toISOString()
const fast = heartbeatPolicy({ intervalMilliseconds: 1000, failureThreshold: 2, confirmations: 1, minimumDwellSeconds: 30 })

type Input = { probe: boolean } | { confirm: boolean; source?: string } | 'flipped' | 'restored' | 'approve'

/** Applies observations at the given seconds; `now` is the observation time plus `lagSeconds`. */
function run(start: HeartbeatRecord, steps: [number, Input][], policy: HeartbeatPolicy = fast, lagSeconds = 0) {
  let record = start
  const actions: Action[][] = []
  for (const [seconds, input] of steps) {
    const step = stepHeartbeat({
      subject,
      previous: record,
      observation: observation(seconds, input),
      policy,
      now: at(seconds + lagSeconds),
    })
    record = step.record
    actions.push(step.actions)
  }
  return { record, actions, last: actions.at(-1) ?? [] }
}

function observation(seconds: number, input: Input): Observation {
  if (input === 'flipped' || input === 'restored') return { kind: input, at: at(seconds) }
  if (input === 'approve') return { kind: 'failbackApproved', at: at(seconds) }
  if ('probe' in input) return { kind: 'probe', at: at(seconds), ok: input.probe }
  return { kind: 'confirmation', at: at(seconds), source: input.source ?? 'peer-prober', down: !input.confirm }
}

const ok = { probe: true }
const miss = { probe: false }
const down = (source = 'peer-prober') => ({ confirm: false, source })
const up = (source = 'peer-prober') => ({ confirm: true, source })
const types = (actions: Action[]) => actions.map((a) => (a.type === 'event' ? `event:${a.reason}` : a.type))
const healthy = initialHeartbeat(at(-100))

/** A site confirmed Failed at 2 s (misses at 1 and 2, confirmed between) and flipped at 2.1 s. */
const failedOver = () =>
  run(healthy, [
    [1, miss],
    [1.5, down()],
    [2, miss],
    [2.1, 'flipped'],
  ]).record

describe('heartbeat state machine: towards failure', () => {
  it('uses the same defaults as the Site schema', () => {
    const schema = SiteSpec.properties.heartbeat.properties
    const def = (key: keyof typeof schema) => (schema[key] as { default?: unknown }).default
    assert.deepEqual(heartbeatPolicy(), {
      intervalMs: def('intervalMilliseconds'),
      timeoutMs: def('timeoutMilliseconds'),
      failureThreshold: def('failureThreshold'),
      confirmations: def('confirmations'),
      recoveryThreshold: def('recoveryThreshold'),
      minimumDwellMs: (def('minimumDwellSeconds') as number) * 1000,
      failback: def('failback'),
    })
  })

  it('stays Healthy on good probes and asks nothing', () => {
    const { record, actions } = run(healthy, [
      [0, ok],
      [1, ok],
    ])
    assert.equal(record.state, 'Healthy')
    assert.equal(record.consecutiveSuccesses, 2)
    assert.deepEqual(actions.flat(), [])
  })

  it('below the threshold stays Healthy, but asks for a second opinion from the first miss on', () => {
    const { record, last } = run(healthy, [[1, miss]])
    assert.equal(record.state, 'Healthy')
    assert.equal(record.consecutiveMisses, 1)
    assert.equal(record.faultAt, iso(1))
    assert.deepEqual(last, [{ type: 'confirm', subject, needed: 1 }])
  })

  it('a good probe ends a run of misses below the threshold', () => {
    const { record } = run(healthy, [
      [1, miss],
      [2, ok],
      [3, miss],
    ])
    assert.equal(record.state, 'Healthy')
    assert.equal(record.consecutiveMisses, 1)
    assert.equal(record.faultAt, iso(3), 'the run restarted')
  })

  it('at failureThreshold misses passes Suspect and starts Confirming', () => {
    const { record, last } = run(healthy, [
      [1, miss],
      [2, miss],
    ])
    assert.equal(record.state, 'Confirming')
    assert.equal(record.since, iso(2))
    assert.equal(record.suspectAt, iso(2))
    assert.equal(record.faultAt, iso(1), 'fault is the first missed probe')
    assert.deepEqual(types(last), ['confirm', 'event:Suspect'])
  })

  it('Confirming -> Failed on the confirmation, flipping with a failover id and marks', () => {
    const { record, last } = run(healthy, [
      [1, miss],
      [2, miss],
      [2.4, down()],
    ])
    assert.equal(record.state, 'Failed')
    assert.equal(record.failedOver, true)
    assert.deepEqual(record.failover, { id: 'site-a-20250301t090001000z', fault: iso(1), suspect: iso(2), confirmed: iso(2.4) })
    assert.deepEqual(types(last), ['event:Failed', 'flip'])
    assert.deepEqual(last[1], { type: 'flip', subject, failoverId: 'site-a-20250301t090001000z' })
    assert.equal(record.faultAt, undefined, 'the run is over')
  })

  it('a confirmation gathered before the threshold fails the site on the threshold miss itself', () => {
    const { record, last } = run(healthy, [
      [1, miss],
      [1.3, down()],
      [2, miss],
    ])
    assert.equal(record.state, 'Failed')
    assert.deepEqual(types(last), ['event:Suspect', 'event:Failed', 'flip'])
    assert.equal(record.failover?.suspect, record.failover?.confirmed)
  })

  it('needs `confirmations` distinct sources; a repeated source does not count twice', () => {
    const two = heartbeatPolicy({ ...{ failureThreshold: 2, minimumDwellSeconds: 30 }, confirmations: 2 })
    const once = run(
      healthy,
      [
        [1, miss],
        [2, miss],
        [2.2, down('a')],
        [2.3, down('a')],
      ],
      two,
    )
    assert.equal(once.record.state, 'Confirming')
    assert.deepEqual(once.record.confirmedBy, ['a'])
    const twice = run(once.record, [[2.4, down('b')]], two)
    assert.equal(twice.record.state, 'Failed')
    assert.match(twice.last.find((a) => a.type === 'event')?.note ?? '', /a, b/)
  })

  it('ignores a down verdict made before the run of misses began, or with no run at all', () => {
    const stale = run(healthy, [
      [1, miss],
      [2, miss],
      [0.5, down()],
    ])
    assert.equal(stale.record.state, 'Confirming')
    assert.deepEqual(stale.record.confirmedBy, [])
    const noRun = run(healthy, [[1, down()]])
    assert.deepEqual(noRun.record, healthy)
  })

  it('failureThreshold 1 suspects on the first miss', () => {
    const { record } = run(healthy, [[1, miss]], heartbeatPolicy({ failureThreshold: 1 }))
    assert.equal(record.state, 'Confirming')
  })

  it('the dwell never delays the fast path: a site Healthy for 1 s still fails at its second miss', () => {
    const justRecovered = { ...initialHeartbeat(at(0)) }
    const { record } = run(justRecovered, [
      [0.5, miss],
      [0.7, down()],
      [1.5, miss],
    ])
    assert.equal(record.state, 'Failed')
    assert.equal(record.since, iso(1.5))
  })

  it('a failure while already failed over (Manual, not failed back) keeps the failover and does not flip again', () => {
    const back = run(failedOver(), [[40, ok], ...Array.from({ length: 40 }, (_, i): [number, Input] => [41 + i, ok])]).record
    assert.equal(back.state, 'Healthy')
    assert.equal(back.failedOver, true)
    const again = run(back, [
      [100, miss],
      [100.2, down()],
      [101, miss],
    ])
    assert.equal(again.record.state, 'Failed')
    assert.deepEqual(again.record.failover, back.failover)
    assert.ok(!types(again.last).includes('flip'))
  })
})

describe('heartbeat state machine: jitter that clears', () => {
  it('Confirming -> Healthy when the second path still reaches the site: no failover', () => {
    const { record, last } = run(healthy, [
      [1, miss],
      [2, miss],
      [2.1, up()],
    ])
    assert.equal(record.state, 'Healthy')
    assert.equal(record.failedOver, false)
    assert.equal(record.failover, undefined)
    assert.equal(record.consecutiveMisses, 0)
    assert.deepEqual(types(last), ['event:SuspicionCleared'])
  })

  it('Confirming -> Healthy when the probe itself answers again before confirmation', () => {
    const { record, last } = run(healthy, [
      [1, miss],
      [2, miss],
      [3, ok],
    ])
    assert.equal(record.state, 'Healthy')
    assert.equal(record.since, iso(3))
    assert.deepEqual(types(last), ['event:SuspicionCleared'])
  })

  it('one clearing source outweighs a down verdict from another', () => {
    const two = heartbeatPolicy({ confirmations: 2 })
    const { record } = run(
      healthy,
      [
        [1, miss],
        [2, miss],
        [2.1, down('a')],
        [2.2, up('b')],
        [2.3, down('c')],
      ],
      two,
    )
    assert.equal(record.state, 'Healthy')
    assert.deepEqual(record.confirmedBy, [], 'the down verdict after the clear belongs to no run')
  })

  it('a clear below the threshold restarts counting', () => {
    const { record } = run(healthy, [
      [1, miss],
      [1.2, up()],
      [2, miss],
    ])
    assert.equal(record.state, 'Healthy')
    assert.equal(record.consecutiveMisses, 1)
  })
})

describe('heartbeat state machine: recovery, dwell and failback', () => {
  it('re-asks for the flip on every step until it is acknowledged', () => {
    const unflipped = run(healthy, [
      [1, miss],
      [1.5, down()],
      [2, miss],
      [3, miss],
    ])
    assert.deepEqual(types(unflipped.last), ['flip'])
    const flipped = run(unflipped.record, [
      [3.1, 'flipped'],
      [4, miss],
    ])
    assert.equal(flipped.record.failover?.flipped, iso(3.1))
    assert.deepEqual(types(flipped.actions[0] ?? []), ['event:FlippedAway'])
    assert.deepEqual(flipped.last, [])
  })

  const dwellTable: { name: string; steps: [number, Input][]; state: string }[] = [
    {
      name: 'Failed holds before the dwell even when probes answer',
      steps: [
        [10, ok],
        [31, ok],
      ],
      state: 'Failed',
    },
    { name: 'Failed -> Recovering on a good probe once the dwell has passed', steps: [[32, ok]], state: 'Recovering' },
    {
      name: 'Recovering holds with recoveryThreshold good probes but before the dwell',
      steps: [32, 33, 34, 35, 36, 37, 61].map((s): [number, Input] => [s, ok]),
      state: 'Recovering',
    },
    {
      name: 'Recovering holds after the dwell while good probes are short of recoveryThreshold',
      steps: [
        [32, ok],
        [63, ok],
        [64, ok],
      ],
      state: 'Recovering',
    },
    {
      name: 'Recovering -> Healthy with both recoveryThreshold and the dwell',
      steps: [
        [32, ok],
        [63, ok],
        [64, ok],
        [65, ok],
        [66, ok],
      ],
      state: 'Healthy',
    },
    {
      name: 'Recovering -> Failed at once on a miss',
      steps: [
        [32, ok],
        [33, miss],
      ],
      state: 'Failed',
    },
  ]
  for (const row of dwellTable)
    it(row.name, () => {
      assert.equal(run(failedOver(), row.steps).record.state, row.state)
    })

  it('a relapse neither flips again nor starts a new failover', () => {
    const start = failedOver()
    const { record, last } = run(start, [
      [32, ok],
      [33, miss],
    ])
    assert.deepEqual(record.failover, start.failover)
    assert.deepEqual(types(last), ['event:Relapsed'])
  })

  const recovered = (policy: HeartbeatPolicy) =>
    run(
      failedOver(),
      [
        [32, ok],
        [63, ok],
        [64, ok],
        [65, ok],
        [66, ok],
      ],
      policy,
    )

  it('Automatic failback: Healthy again asks to restore until acknowledged, then the site is no longer failed over', () => {
    const automatic = heartbeatPolicy({ failback: 'Automatic' })
    const { record, last } = recovered(automatic)
    assert.equal(record.state, 'Healthy')
    assert.deepEqual(types(last), ['event:Recovered', 'restore'])
    assert.deepEqual(types(run(record, [[67, ok]], automatic).last), ['restore'])
    const restored = run(
      record,
      [
        [67, 'restored'],
        [68, ok],
      ],
      automatic,
    )
    assert.equal(restored.record.failedOver, false)
    assert.deepEqual(restored.last, [])
  })

  it('Manual failback: Healthy again but still failed over, no restore, until a person approves', () => {
    const manual = heartbeatPolicy({ failback: 'Manual' })
    const { record, last } = recovered(manual)
    assert.equal(record.state, 'Healthy')
    assert.equal(record.failedOver, true)
    assert.ok(needsManualFailback(record, manual))
    assert.deepEqual(types(last), ['event:ManualFailbackNeeded'])
    assert.deepEqual(run(record, [[600, ok]], manual).last, [], 'hours later still no restore')
    const approved = run(record, [[700, 'approve']], manual)
    assert.deepEqual(types(approved.last), ['event:FailbackApproved', 'restore'])
    assert.ok(!needsManualFailback(approved.record, manual))
    const done = run(approved.record, [[701, 'restored']], manual)
    assert.equal(done.record.failedOver, false)
    assert.equal(done.record.failbackApprovedAt, undefined)
  })

  it('Manual approval given while Recovering takes effect once Healthy', () => {
    const manual = heartbeatPolicy({ failback: 'Manual' })
    const { actions } = run(
      failedOver(),
      [
        [32, ok],
        [33, 'approve'],
        [63, ok],
        [64, ok],
        [65, ok],
        [66, ok],
      ],
      manual,
    )
    assert.deepEqual(types(actions[1] ?? []), ['event:FailbackApproved'], 'no restore while Recovering')
    assert.deepEqual(types(actions.at(-1) ?? []), ['event:Recovered', 'restore'])
  })

  it('ignores flipped/restored/approve that match nothing', () => {
    for (const input of ['flipped', 'restored', 'approve'] as const)
      assert.deepEqual(run(healthy, [[1, input]]), { record: healthy, actions: [[]], last: [] })
  })
})

describe('heartbeat state machine: resume from status', () => {
  const roundTrip = (record: HeartbeatRecord) => JSON.parse(JSON.stringify(record)) as HeartbeatRecord

  it('a record serialised mid-failover (Failed, flip not acknowledged) asks for the flip again after a restart', () => {
    const mid = roundTrip(
      run(healthy, [
        [1, miss],
        [1.5, down()],
        [2, miss],
      ]).record,
    )
    const { record, last } = run(mid, [[3, miss]])
    assert.deepEqual(last, [{ type: 'flip', subject, failoverId: mid.failover?.id }])
    assert.equal(record.failover?.fault, iso(1), 'the original fault time is kept')
  })

  it('a record serialised while Confirming finishes the same failover with its original timestamps', () => {
    const mid = roundTrip(
      run(healthy, [
        [1, miss],
        [2, miss],
      ]).record,
    )
    const { record } = run(mid, [[2.5, down()]])
    assert.deepEqual(record.failover, { id: 'site-a-20250301t090001000z', fault: iso(1), suspect: iso(2), confirmed: iso(2.5) })
  })

  it('every record survives JSON unchanged, and a component subject names its failover', () => {
    let record = healthy
    const steps: Observation[] = [
      { kind: 'probe', at: at(1), ok: false },
      { kind: 'confirmation', at: at(1.2), source: 'x', down: true },
      { kind: 'probe', at: at(2), ok: false },
    ]
    for (const observation of steps) {
      record = stepHeartbeat({
        subject: { site: 's', component: 'edge' },
        previous: record,
        observation,
        policy: fast,
        now: observation.at,
      }).record
      assert.deepEqual(roundTrip(record), record)
    }
    assert.equal(record.failover?.id, 's-edge-20250301t090001000z')
  })
})
