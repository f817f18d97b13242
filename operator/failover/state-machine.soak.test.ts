// Simulated time only: probes, second opinions and flip acknowledgements are events on a virtual clock.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HeartbeatRecord, HeartbeatState, Observation } from './heartbeat-types.ts'
import { heartbeatPolicy } from './policy.ts'
import { initialHeartbeat, stepHeartbeat } from './state-machine.ts'

const policy = heartbeatPolicy({ intervalMilliseconds: 1000, timeoutMilliseconds: 800, failureThreshold: 2, confirmations: 1 })
const subject = { site: 'site-a' }

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface World {
  /** A primary probe sent at `sentMs`: answered or not, and when its result is known. */
  primary(sentMs: number): { ok: boolean; afterMs: number }
  /** The second path's verdict on a confirmation asked for at `askedMs`, and when it arrives. */
  secondOpinion(askedMs: number): { down: boolean; afterMs: number }
}

interface Outcome {
  states: Set<HeartbeatState>
  record: HeartbeatRecord
  failedAtMs?: number
}

function simulate(world: World, durationMs: number): Outcome {
  const start = Date.parse('2025-03-01T09:00:00.000Z')
  const queue: { atMs: number; observation: Observation }[] = []
  const schedule = (atMs: number, observation: Observation) => queue.push({ atMs, observation })
  for (let sent = 0; sent < durationMs; sent += policy.intervalMs) {
    const result = world.primary(sent)
    schedule(sent + result.afterMs, { kind: 'probe', at: new Date(start + sent), ok: result.ok })
  }
  const outcome: Outcome = { states: new Set(['Healthy']), record: initialHeartbeat(new Date(start)) }
  while (queue.length) {
    queue.sort((a, b) => a.atMs - b.atMs)
    const next = queue.shift()
    if (!next) break
    const step = stepHeartbeat({
      subject,
      previous: outcome.record,
      observation: next.observation,
      policy,
      now: new Date(start + next.atMs),
    })
    outcome.record = step.record
    outcome.states.add(step.record.state)
    if (step.record.state === 'Failed') outcome.failedAtMs ??= next.atMs
    for (const action of step.actions) {
      if (action.type === 'confirm') {
        const opinion = world.secondOpinion(next.atMs)
        const answeredAt = next.atMs + opinion.afterMs
        schedule(answeredAt, { kind: 'confirmation', at: new Date(start + answeredAt), source: 'peer-prober', down: opinion.down })
      }
      if (action.type === 'flip') schedule(next.atMs + 50, { kind: 'flipped', at: new Date(start + next.atMs + 50) })
    }
  }
  return outcome
}

describe('heartbeat soak (simulated): 10 minutes at 1 s with 20 % probe loss and latency spikes', () => {
  for (const seed of [1, 2, 3, 42, 2025]) {
    it(`never fails over while the second path is healthy (seed ${seed})`, () => {
      const next = random(seed)
      const lossy: World = {
        primary: () => {
          const latency = next() < 0.2 ? Infinity : next() < 0.1 ? 600 + next() * 1400 : 2 + next() * 40
          return latency <= policy.timeoutMs ? { ok: true, afterMs: latency } : { ok: false, afterMs: policy.timeoutMs }
        },
        // healthy, but sometimes slower than the next probe, so some suspicions reach Confirming before they clear
        secondOpinion: () => ({ down: false, afterMs: 5 + next() * 1500 }),
      }
      const outcome = simulate(lossy, 10 * 60 * 1000)
      assert.ok(outcome.states.has('Confirming'), 'the loss did make the site suspect, so the property is not vacuous')
      assert.ok(!outcome.states.has('Failed'), `reached Failed at ${outcome.failedAtMs} ms`)
      assert.equal(outcome.record.failedOver, false)
    })
  }
})

describe('heartbeat fast path (simulated): fault -> confirmed within 3 s at 1 s, failureThreshold 2, 1 confirmation', () => {
  const offsets = [0, 11, 250, 500, 799, 801, 999]
  for (const kind of ['refused', 'blackholed'] as const) {
    for (const offset of offsets) {
      it(`${kind} site, fault ${offset} ms after a probe was sent (answered at 10 ms)`, () => {
        const faultMs = 20_000 + offset
        const dead = (ms: number) => ms >= faultMs
        const failedAfter = kind === 'refused' ? 2 : policy.timeoutMs
        const world: World = {
          primary: (sent) => (dead(sent + 10) ? { ok: false, afterMs: failedAfter } : { ok: true, afterMs: 10 }),
          secondOpinion: (asked) =>
            dead(asked) ? { down: true, afterMs: kind === 'refused' ? 3 : policy.timeoutMs } : { down: false, afterMs: 3 },
        }
        const outcome = simulate(world, 40_000)
        assert.ok(outcome.failedAtMs !== undefined, 'the site failed')
        const detection = outcome.failedAtMs - faultMs
        assert.ok(detection <= 3000, `fault -> confirmed took ${detection} ms`)
        assert.ok(outcome.record.failover?.flipped, 'the flip was acknowledged')
      })
    }
  }
})
