import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { attemptRefusal, type AttemptCounts, type SignInLimits } from './attempt-limits.ts'

const limits: SignInLimits = { failuresPerAccount: 5, accountWindowMs: 300_000, attemptsPerAddress: 60, addressWindowMs: 60_000 }

function counts(wrongPasswords: number, addressAttempts: number, ends = { account: 200_000, address: 30_000 }): AttemptCounts {
  return {
    account: 'zhang.wei@travel.example',
    address: '10.20.30.40',
    wrongPasswords: { count: wrongPasswords, endsInMs: ends.account },
    addressAttempts: { count: addressAttempts, endsInMs: ends.address },
  }
}

describe('attemptRefusal', () => {
  it('lets an attempt go on below both limits, up to the last attempt the address may make', () => {
    assert.equal(attemptRefusal(counts(limits.failuresPerAccount - 1, limits.attemptsPerAddress), limits), undefined)
  })

  it('refuses an account with as many wrong passwords as allowed, naming it and when its window ends', () => {
    const refusal = attemptRefusal(counts(limits.failuresPerAccount, 1), limits)
    assert.equal(refusal?.code, 'too-many-attempts')
    assert.equal(refusal.status, 429)
    assert.equal(refusal.limit, 'account')
    assert.equal(refusal.retryAfterSeconds, 200)
    assert.equal(
      refusal.message,
      'too many wrong passwords for account zhang.wei@travel.example (5 within 5 min): its password sign-ins are refused for 200 s more',
    )
    assert.deepEqual(refusal.toJSON(), { error: 'too-many-attempts', message: refusal.message, limit: 'account', retryAfterSeconds: 200 })
  })

  it('refuses an address past its attempts, naming it and the window', () => {
    const refusal = attemptRefusal(counts(0, limits.attemptsPerAddress + 1), limits)
    assert.equal(refusal?.limit, 'address')
    assert.equal(refusal.retryAfterSeconds, 30)
    assert.equal(refusal.message, 'too many password sign-ins from 10.20.30.40 (more than 60 within 1 min): try again in 30 s')
  })

  it('over both limits, names the one whose window ends later', () => {
    const over = counts(limits.failuresPerAccount, limits.attemptsPerAddress + 1, { account: 10_000, address: 45_000 })
    assert.equal(attemptRefusal(over, limits)?.limit, 'address')
    const accountLater = counts(limits.failuresPerAccount, limits.attemptsPerAddress + 1, { account: 50_000, address: 45_000 })
    assert.equal(attemptRefusal(accountLater, limits)?.limit, 'account')
  })

  it('rounds the wait up to whole seconds, at least one, and writes a window that is not whole minutes in seconds', () => {
    const short = { ...limits, addressWindowMs: 1500 }
    assert.equal(attemptRefusal(counts(0, 61, { account: 0, address: 1001 }), short)?.retryAfterSeconds, 2)
    const ending = attemptRefusal(counts(0, 61, { account: 0, address: 0 }), short)
    assert.equal(ending?.retryAfterSeconds, 1)
    assert.match(ending.message, /within 2 s\)/)
  })
})
