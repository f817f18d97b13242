// Pure: when a password sign-in is refused for too many attempts. Two fixed windows, counted in the
// site's Redis (attempt-counters.ts): wrong passwords per account (someone guessing one account's
// password) and password sign-ins per source address (one machine trying many accounts). Token
// re-logins are never counted: a failover sends thousands at once, and each proves a session already.
import { TooManyAttempts } from './errors.ts'

export interface SignInLimits {
  /** Wrong passwords an account may have within accountWindowMs; then even the right one is refused until the window ends. */
  failuresPerAccount: number
  accountWindowMs: number
  /** Password sign-ins, right or wrong, one source address may make within addressWindowMs. */
  attemptsPerAddress: number
  addressWindowMs: number
}

/** 5 wrong passwords per account in 5 minutes; 60 password sign-ins per address in a minute. */
export const defaultSignInLimits: SignInLimits = {
  failuresPerAccount: 5,
  accountWindowMs: 300_000,
  attemptsPerAddress: 60,
  addressWindowMs: 60_000,
}

/** A counter of one window: its value and how long until the window ends. */
export interface WindowCount {
  count: number
  endsInMs: number
}

export interface AttemptCounts {
  account: string
  address: string
  /** Wrong passwords for the account in its window so far, this attempt not included. */
  wrongPasswords: WindowCount
  /** Password sign-ins from the address in its window, this one included. */
  addressAttempts: WindowCount
}

const retryAfterSeconds = (window: WindowCount) => Math.max(1, Math.ceil(window.endsInMs / 1000))

function duration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.ceil(ms / 1000)} s`
}

/** The refusal of this attempt, or undefined when it may go on; over both limits, the one that ends later. */
export function attemptRefusal(counts: AttemptCounts, limits: SignInLimits): TooManyAttempts | undefined {
  const refusals: TooManyAttempts[] = []
  if (counts.wrongPasswords.count >= limits.failuresPerAccount) {
    const wait = retryAfterSeconds(counts.wrongPasswords)
    refusals.push(
      new TooManyAttempts(
        'account',
        wait,
        `too many wrong passwords for account ${counts.account} (${counts.wrongPasswords.count} within ${duration(limits.accountWindowMs)}): its password sign-ins are refused for ${wait} s more`,
      ),
    )
  }
  if (counts.addressAttempts.count > limits.attemptsPerAddress) {
    const wait = retryAfterSeconds(counts.addressAttempts)
    refusals.push(
      new TooManyAttempts(
        'address',
        wait,
        `too many password sign-ins from ${counts.address} (more than ${limits.attemptsPerAddress} within ${duration(limits.addressWindowMs)}): try again in ${wait} s`,
      ),
    )
  }
  return refusals.sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds)[0]
}
