import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkedProfile, count, emptyCounters, fateOf, seededRandom, type LossProfile } from './loss-plan.ts'

const profile: LossProfile = { dropRate: 0.2, spikeRate: 0.1, spikeMs: { min: 900, max: 2000 }, jitterMs: { min: 1, max: 30 } }

describe('loss plan', () => {
  it('repeats the same fates for the same seed, and others for another seed', () => {
    const fates = (seed: number) => {
      const random = seededRandom(seed)
      return Array.from({ length: 50 }, () => fateOf(random, profile))
    }
    assert.deepEqual(fates(7), fates(7))
    assert.notDeepEqual(fates(7), fates(8))
  })

  it('drops the share asked for, spikes the share of the rest, within the ranges', () => {
    const random = seededRandom(2025)
    const counters = emptyCounters()
    for (let i = 0; i < 20_000; i++) {
      const fate = fateOf(random, profile)
      count(counters, fate)
      if (fate.kind === 'forward') {
        const { min, max } = fate.spike ? profile.spikeMs : profile.jitterMs
        assert.ok(fate.delayMs >= min && fate.delayMs <= max, `delay ${fate.delayMs} in ${min}..${max}`)
      }
    }
    assert.equal(counters.seen, counters.dropped + counters.spiked + counters.passed)
    assert.ok(Math.abs(counters.dropped / counters.seen - 0.2) < 0.015, `dropped ${counters.dropped} of ${counters.seen}`)
    const forwarded = counters.seen - counters.dropped
    assert.ok(Math.abs(counters.spiked / forwarded - 0.1) < 0.015, `spiked ${counters.spiked} of ${forwarded}`)
  })

  it('refuses a profile out of range, naming the field', () => {
    assert.throws(() => checkedProfile({ ...profile, dropRate: 1.5 }), /dropRate must be between 0 and 1, got 1.5/)
    assert.throws(() => checkedProfile({ ...profile, spikeRate: Number.NaN }), /spikeRate/)
    assert.throws(() => checkedProfile({ ...profile, spikeMs: { min: 900, max: 100 } }), /spikeMs must have 0 <= min <= max, got 900..100/)
  })
})
