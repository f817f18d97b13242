import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decideCallerIds, type CallerIdDecision, type CallerIdDecisionInput } from './caller-ids.ts'

const now = new Date('2026-03-01T08:00:00Z')
const numbers = ['+862134567001', '+862134567002', '+862134567003'] as const
const pool = { numbers: [...numbers], rotation: { minimumAnswerPercent: 25, windowCalls: 200, restSeconds: 86400 } }
const figures = (answered: [number, number, number], calls = 200) =>
  numbers.map((number, i) => ({ number, calls, answered: answered[i] ?? 0 }))

const cases: { name: string; input: CallerIdDecisionInput; expect: (decision: CallerIdDecision) => void }[] = [
  {
    name: 'keeps every number in use while answer rates are above the minimum, and rotates in pool order',
    input: { pool, figures: figures([100, 60, 51]), lastUsed: numbers[0], now },
    expect: (d) => {
      assert.deepEqual(
        d.callerIds.map((c) => [c.state, c.answerPercent]),
        [
          ['InUse', 50],
          ['InUse', 30],
          ['InUse', 26],
        ],
      )
      assert.equal(d.next, numbers[1])
    },
  },
  {
    name: 'rests a number whose answer rate fell below the minimum, says why and until when, and skips it',
    input: { pool, figures: figures([100, 20, 90]), lastUsed: numbers[0], now },
    expect: (d) => {
      assert.deepEqual(d.callerIds.at(1), {
        number: numbers[1],
        state: 'Resting',
        answerPercent: 10,
        reason: '10% of its last 200 calls were answered, below the minimum of 25%: carriers may be blocking it; resting for 1 d',
        until: '2026-03-02T08:00:00.000Z',
      })
      assert.equal(d.next, numbers[2])
    },
  },
  {
    name: 'judges on the exact rate, not the rounded one (49 of 200 is below 25 %)',
    input: { pool, figures: figures([49, 50, 50]), now },
    expect: (d) =>
      assert.deepEqual(
        d.callerIds.map((c) => c.state),
        ['Resting', 'InUse', 'InUse'],
      ),
  },
  {
    name: 'does not judge a number before it has a full window of calls',
    input: { pool, figures: figures([1, 1, 1], 199), now },
    expect: (d) => assert.ok(d.callerIds.every((c) => c.state === 'InUse' && c.answerPercent === 1)),
  },
  {
    name: 'keeps a resting number resting until its time is up',
    input: {
      pool,
      figures: figures([100, 100, 100]),
      previous: [{ number: numbers[2], state: 'Resting', reason: 'blocked', until: '2026-03-01T09:00:00Z' }],
      lastUsed: numbers[1],
      now,
    },
    expect: (d) => {
      assert.equal(d.callerIds.at(2)?.state, 'Resting')
      assert.equal(d.callerIds.at(2)?.until, '2026-03-01T09:00:00Z')
      assert.equal(d.next, numbers[0])
    },
  },
  {
    name: 'returns a rested number to use once its time is up, and asks for its figures to start afresh',
    input: {
      pool,
      figures: figures([100, 100, 10]),
      previous: [{ number: numbers[2], state: 'Resting', reason: 'blocked', until: '2026-03-01T07:59:59Z' }],
      lastUsed: numbers[1],
      now,
    },
    expect: (d) => {
      assert.deepEqual(d.callerIds.at(2), { number: numbers[2], state: 'InUse' })
      assert.deepEqual(d.resetFigures, [numbers[2]])
      assert.equal(d.next, numbers[2])
    },
  },
  {
    name: 'has no number to offer when every number rests',
    input: { pool, figures: figures([1, 2, 3]), now },
    expect: (d) => {
      assert.ok(d.callerIds.every((c) => c.state === 'Resting'))
      assert.equal(d.next, undefined)
    },
  },
  {
    name: 'never rests a number when the pool has no rotation policy',
    input: { pool: { numbers: [...numbers] }, figures: figures([0, 0, 0]), lastUsed: numbers[2], now },
    expect: (d) => {
      assert.ok(d.callerIds.every((c) => c.state === 'InUse'))
      assert.equal(d.next, numbers[0])
    },
  },
  {
    name: 'uses the default window (200 calls) and rest (1 day) when the policy leaves them out',
    input: { pool: { numbers: [...numbers], rotation: { minimumAnswerPercent: 25 } }, figures: figures([10, 100, 100]), now },
    expect: (d) => {
      assert.equal(d.callerIds.at(0)?.state, 'Resting')
      assert.equal(d.callerIds.at(0)?.until, '2026-03-02T08:00:00.000Z')
      assert.equal(d.next, numbers[1])
    },
  },
]

describe('decideCallerIds (outbound caller-ID rotation)', () => {
  for (const { name, input, expect } of cases) it(name, () => expect(decideCallerIds(input)))
})
