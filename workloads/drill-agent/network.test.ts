import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { networkFault } from './network.ts'

const until = async (what: string, ok: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await delay(20)
  }
}

describe('network fault', () => {
  it('heals at the deadline even a cut whose command failed halfway (its rules may be half in place)', async () => {
    const calls: string[] = []
    const selfHeals: (string | undefined)[] = []
    const network = networkFault(
      {
        cut: () => {
          calls.push('cut')
          return Promise.reject(new Error('iptables: chain already exists'))
        },
        heal: () => {
          calls.push('heal')
          return Promise.resolve()
        },
      },
      { onSelfHeal: (error) => selfHeals.push(error?.message) },
    )
    await assert.rejects(network.cut(1), /chain already exists/)
    assert.equal(network.current(), undefined, 'not listed as cut: the command failed')
    await until('healed at the deadline', () => calls.includes('heal'))
    assert.deepEqual(calls, ['cut', 'heal'])
    assert.deepEqual(selfHeals, [undefined])
    await network.close()
    assert.deepEqual(calls, ['cut', 'heal'], 'healed already: closing runs nothing')
  })

  it('a heal asked for in time cancels the deadline', async () => {
    const calls: string[] = []
    const network = networkFault({
      cut: () => Promise.resolve(void calls.push('cut')),
      heal: () => Promise.resolve(void calls.push('heal')),
    })
    await network.cut(1)
    await network.heal()
    await delay(1300)
    assert.deepEqual(calls, ['cut', 'heal'], 'no second heal at the deadline')
  })

  it('refuses a deadline that is not a whole number of seconds, and runs nothing', async () => {
    const calls: string[] = []
    const network = networkFault({
      cut: () => Promise.resolve(void calls.push('cut')),
      heal: () => Promise.resolve(void calls.push('heal')),
    })
    for (const seconds of [0, -5, 1.5]) await assert.rejects(network.cut(seconds), /healAfterSeconds must be a whole number >= 1/)
    await network.close()
    assert.deepEqual(calls, [])
  })
})
