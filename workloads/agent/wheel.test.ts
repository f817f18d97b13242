import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { waitFor } from '../lib/testing/wait.ts'
import { HeartbeatWheel } from './wheel.ts'

describe('heartbeat wheel', () => {
  it('ticks every task once per round, spread over its slots, and stops when empty', async () => {
    const wheel = new HeartbeatWheel(40, 4)
    const ticks = new Map<number, number>()
    const removers = Array.from({ length: 8 }, (_, index) => wheel.add({ tick: () => ticks.set(index, (ticks.get(index) ?? 0) + 1) }))
    assert.equal(wheel.size, 8)
    await waitFor('three rounds for everyone', () => [...Array(8).keys()].every((index) => (ticks.get(index) ?? 0) >= 3))
    const counts = [...ticks.values()]
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `every task ticks at the same pace: ${counts.join(',')}`)
    for (const remove of removers) remove()
    assert.equal(wheel.size, 0)
    const frozen = new Map(ticks)
    await new Promise((resolve) => setTimeout(resolve, 60))
    assert.deepEqual(ticks, frozen, 'an empty wheel does not tick')
  })
})
