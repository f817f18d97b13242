// Who may sign in: the pluggable identity provider behind unified sign-in. A directory service (LDAP,
// AD) plugs in behind the same interface; the static provider here serves tests and the demo.
import { createHash, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'

export type IdentityVerdict = 'ok' | 'unknown-account' | 'wrong-password'

export interface IdentityProvider {
  verify(account: string, password: string): Promise<IdentityVerdict>
}

const digest = (password: string) => createHash('sha256').update(password, 'utf8').digest()

/**
 * Accounts with the SHA-256 of their password, compared in constant time. Unsalted SHA-256 is fine
 * for tests and demos, not for real passwords: use a directory service there.
 */
export class StaticIdentityProvider implements IdentityProvider {
  private readonly digests = new Map<string, Buffer>()

  static fromPasswords(accounts: Iterable<readonly [account: string, password: string]>): StaticIdentityProvider {
    const provider = new StaticIdentityProvider()
    for (const [account, password] of accounts) provider.digests.set(account.toLowerCase(), digest(password))
    return provider
  }

  static fromDigests(accounts: Iterable<readonly [account: string, passwordSha256Hex: string]>): StaticIdentityProvider {
    const provider = new StaticIdentityProvider()
    for (const [account, hex] of accounts) {
      if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`identity of ${account}: passwordSha256 must be 64 hex digits`)
      provider.digests.set(account.toLowerCase(), Buffer.from(hex, 'hex'))
    }
    return provider
  }

  verify(account: string, password: string): Promise<IdentityVerdict> {
    const expected = this.digests.get(account.toLowerCase())
    if (expected === undefined) return Promise.resolve('unknown-account')
    return Promise.resolve(timingSafeEqual(expected, digest(password)) ? 'ok' : 'wrong-password')
  }
}

export const passwordSha256 = (password: string): string => digest(password).toString('hex')

/** Reads a JSON file `{"accounts": [{"account": "...", "passwordSha256": "<hex>"}]}`. */
export async function loadIdentityFile(path: string): Promise<StaticIdentityProvider> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new Error(`identity file ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const accounts = (parsed as { accounts?: unknown }).accounts
  if (!Array.isArray(accounts)) throw new Error(`identity file ${path}: expected {"accounts": [...]}`)
  return StaticIdentityProvider.fromDigests(
    accounts.map((entry: unknown, index) => {
      const { account, passwordSha256: hex } = (entry ?? {}) as { account?: unknown; passwordSha256?: unknown }
      if (typeof account !== 'string' || typeof hex !== 'string') {
        throw new Error(`identity file ${path}: accounts[${index}] needs string account and passwordSha256`)
      }
      return [account, hex] as const
    }),
  )
}
