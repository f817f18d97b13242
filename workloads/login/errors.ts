// Why a sign-in (or a token) was refused, with the HTTP status each reason answers with.

export const signInErrorStatus = {
  'bad-request': 400,
  'unknown-account': 401,
  'wrong-password': 401,
  'token-expired': 401,
  'token-invalid': 401,
  'site-not-allowed': 403,
  'unknown-pc': 422,
  'no-extension': 422,
  'no-pool': 422,
  'pool-exhausted': 503,
  'site-not-configured': 503,
  /** spec.traffic Drain: sign in at another site (an agent of this site may still come back with its token). */
  'site-draining': 503,
  /** spec.traffic Fenced: sign in at another site. */
  'site-fenced': 503,
  /** Too many wrong passwords for the account, or password sign-ins from the address: wait (Retry-After). */
  'too-many-attempts': 429,
} as const

export type SignInErrorCode = keyof typeof signInErrorStatus

export class SignInError extends Error {
  readonly code: SignInErrorCode

  constructor(code: SignInErrorCode, message: string) {
    super(message)
    this.name = 'SignInError'
    this.code = code
  }

  get status(): number {
    return signInErrorStatus[this.code]
  }

  toJSON(): { error: SignInErrorCode; message: string } {
    return { error: this.code, message: this.message }
  }
}

/** Which limit refused a password sign-in (attempt-limits.ts). */
export type AttemptLimit = 'account' | 'address'

export class TooManyAttempts extends SignInError {
  readonly limit: AttemptLimit
  /** When the window that refused it ends: the HTTP Retry-After. */
  readonly retryAfterSeconds: number

  constructor(limit: AttemptLimit, retryAfterSeconds: number, message: string) {
    super('too-many-attempts', message)
    this.name = 'TooManyAttempts'
    this.limit = limit
    this.retryAfterSeconds = retryAfterSeconds
  }

  override toJSON(): { error: SignInErrorCode; message: string; limit: AttemptLimit; retryAfterSeconds: number } {
    return { ...super.toJSON(), limit: this.limit, retryAfterSeconds: this.retryAfterSeconds }
  }
}
