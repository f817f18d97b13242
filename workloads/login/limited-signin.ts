// A password sign-in within the attempt limits (attempt-limits.ts): counted per source address and
// refused, before the password is even checked, once a limit is reached; so a refusal opens no session
// and leases no operator ID. A wrong password counts against the account, a sign-in clears its count.
import type { SignInResult } from '../lib/protocol.ts'
import { attemptRefusal } from './attempt-limits.ts'
import type { LoginContext } from './context.ts'
import { SignInError } from './errors.ts'
import { ACCOUNT_MAX_LENGTH, signInWithPassword } from './signin.ts'

export async function limitedPasswordSignIn(ctx: LoginContext, address: string, body: Record<string, unknown>): Promise<SignInResult> {
  const limits = ctx.signInLimits
  // An account that is not one (refused as bad-request below) still counts against the address.
  const account = typeof body.account === 'string' && body.account.length <= ACCOUNT_MAX_LENGTH ? body.account : ''
  const counts = await ctx.attempts.attempt(address, account, limits.addressWindowMs)
  const refusal = attemptRefusal(counts, limits)
  if (refusal !== undefined) throw refusal
  try {
    const result = await signInWithPassword(ctx, body)
    if (counts.wrongPasswords.count > 0) await ctx.attempts.signedIn(account)
    return result
  } catch (error) {
    if (error instanceof SignInError && error.code === 'wrong-password') await ctx.attempts.wrongPassword(account, limits.accountWindowMs)
    throw error
  }
}
