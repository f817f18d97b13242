import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { defaultSignInLimits } from './attempt-limits.ts'
import { loginOptionsFromEnv } from './config.ts'

describe('loginOptionsFromEnv: the password sign-in limits', () => {
  let dir: string
  let required: NodeJS.ProcessEnv
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc-login-config-'))
    await writeFile(join(dir, 'identity.json'), JSON.stringify({ accounts: [] }))
    required = {
      LOGIN_SITE: 'shanghai',
      LOGIN_IDENTITY_FILE: join(dir, 'identity.json'),
      LOGIN_TOKEN_SECRET: 'a-token-secret-of-at-least-32-bytes!!',
    }
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('uses the defaults when none is set', async () => {
    assert.deepEqual((await loginOptionsFromEnv(required)).signInLimits, defaultSignInLimits)
  })

  it('reads each limit and window from its variable', async () => {
    const options = await loginOptionsFromEnv({
      ...required,
      LOGIN_SIGNIN_FAILURES_PER_ACCOUNT: '10',
      LOGIN_SIGNIN_ACCOUNT_WINDOW_MS: '900000',
      LOGIN_SIGNIN_ATTEMPTS_PER_ADDRESS: '20000',
      LOGIN_SIGNIN_ADDRESS_WINDOW_MS: '30000',
    })
    assert.deepEqual(options.signInLimits, {
      failuresPerAccount: 10,
      accountWindowMs: 900_000,
      attemptsPerAddress: 20_000,
      addressWindowMs: 30_000,
    })
  })

  it('refuses a limit of 0 or a window under a second, naming the variable', async () => {
    await assert.rejects(
      loginOptionsFromEnv({ ...required, LOGIN_SIGNIN_ATTEMPTS_PER_ADDRESS: '0' }),
      /LOGIN_SIGNIN_ATTEMPTS_PER_ADDRESS must be/,
    )
    await assert.rejects(
      loginOptionsFromEnv({ ...required, LOGIN_SIGNIN_ACCOUNT_WINDOW_MS: '50' }),
      /LOGIN_SIGNIN_ACCOUNT_WINDOW_MS must be/,
    )
  })
})
