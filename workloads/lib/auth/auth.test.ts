import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createSigner } from 'fast-jwt'
import { loadIdentityFile, passwordSha256, StaticIdentityProvider } from './identity.ts'
import { createTokenSigner, TokenError } from './tokens.ts'

const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef')
const claims = {
  agentId: 'A1',
  sessionId: 's1',
  site: 'shanghai',
  operatorId: 1000,
  pool: 'general',
  extension: '8001',
  pcHostName: 'PC-1',
}

describe('session tokens', () => {
  it('round-trips the session claims', async () => {
    const signer = createTokenSigner({ secret, ttlSeconds: 60 })
    const verified = await signer.verify(await signer.issue(claims))
    assert.deepEqual({ ...verified, expiresAt: 0, issuedAt: 0 }, { ...claims, expiresAt: 0, issuedAt: 0 })
    assert.equal(verified.expiresAt - verified.issuedAt, 60_000)
  })

  it('refuses expired tokens, tokens of another secret, and short secrets', async () => {
    const signer = createTokenSigner({ secret, ttlSeconds: 60 })
    const expired = await signer.issue(claims, Date.now() - 120_000)
    await assert.rejects(signer.verify(expired), (error: unknown) => error instanceof TokenError && error.code === 'token-expired')
    const other = createTokenSigner({ secret: new TextEncoder().encode('another-secret-another-secret-!!'), ttlSeconds: 60 })
    await assert.rejects(
      signer.verify(await other.issue(claims)),
      (error: unknown) => error instanceof TokenError && error.code === 'token-invalid',
    )
    await assert.rejects(signer.verify('not a token'), (error: unknown) => error instanceof TokenError && error.code === 'token-invalid')
    assert.throws(() => createTokenSigner({ secret: new Uint8Array(8), ttlSeconds: 60 }), /at least 32 bytes/)
  })

  it('refuses a token of the right secret with another issuer, no signature, or no session claims', async () => {
    const signer = createTokenSigner({ secret, ttlSeconds: 60 })
    const key = Buffer.from(secret)
    const refusedAs = (code: string, message: RegExp) => (error: unknown) =>
      error instanceof TokenError && error.code === code && message.test(error.message)
    const foreign = createSigner({ key, algorithm: 'HS256', iss: 'someone-else', expiresIn: 60_000 })({ sub: 'A1' })
    await assert.rejects(signer.verify(foreign), refusedAs('token-invalid', /not valid/))
    const unsigned = createSigner({ algorithm: 'none', iss: 'callcenter-login', expiresIn: 60_000 })({ sub: 'A1' })
    await assert.rejects(signer.verify(unsigned), refusedAs('token-invalid', /not valid/))
    const bare = createSigner({ key, algorithm: 'HS256', iss: 'callcenter-login', expiresIn: 60_000 })({ sub: 'A1' })
    await assert.rejects(signer.verify(bare), refusedAs('token-invalid', /lacks session claims/))
  })
})

describe('static identity provider', () => {
  it('checks passwords, accounts case-insensitively', async () => {
    const provider = StaticIdentityProvider.fromPasswords([['Zhang.Wei@travel.example', 'pw']])
    assert.equal(await provider.verify('zhang.wei@TRAVEL.example', 'pw'), 'ok')
    assert.equal(await provider.verify('zhang.wei@travel.example', 'PW'), 'wrong-password')
    assert.equal(await provider.verify('li.na@travel.example', 'pw'), 'unknown-account')
  })

  it('loads a file of password digests and names what is wrong in a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-identity-'))
    try {
      await writeFile(join(dir, 'good.json'), JSON.stringify({ accounts: [{ account: 'a@x', passwordSha256: passwordSha256('pw') }] }))
      assert.equal(await (await loadIdentityFile(join(dir, 'good.json'))).verify('a@x', 'pw'), 'ok')
      await writeFile(join(dir, 'bad.json'), JSON.stringify({ accounts: [{ account: 'a@x' }] }))
      await assert.rejects(loadIdentityFile(join(dir, 'bad.json')), /accounts\[0\] needs string account and passwordSha256/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
