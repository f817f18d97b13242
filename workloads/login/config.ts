// Reads the login service's settings from the environment (pure except for reading the files named there).
import { loadIdentityFile } from '../lib/auth/identity.ts'
import { readTokenSecret } from '../lib/auth/tokens.ts'
import { defaultSignInLimits } from './attempt-limits.ts'
import { defaultLoginOptions, type LoginServiceOptions } from './server.ts'

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${text}"`)
  return value
}

/**
 * LOGIN_SITE (required), LOGIN_REDIS_URL, LOGIN_HOST, LOGIN_PORT (0: any free port), LOGIN_REUSE_PORT
 * ("true": replicas on one host share the port), LOGIN_PUBLIC_URL,
 * LOGIN_TOKEN_SECRET_FILE or LOGIN_TOKEN_SECRET, LOGIN_TOKEN_TTL_SECONDS, LOGIN_SESSION_TIMEOUT_MS,
 * LOGIN_SWEEP_INTERVAL_MS, LOGIN_ACD_URL, LOGIN_IDENTITY_FILE (required), LOGIN_LOG_LEVEL, and the
 * password sign-in limits (attempt-limits.ts): LOGIN_SIGNIN_FAILURES_PER_ACCOUNT within
 * LOGIN_SIGNIN_ACCOUNT_WINDOW_MS, LOGIN_SIGNIN_ATTEMPTS_PER_ADDRESS within LOGIN_SIGNIN_ADDRESS_WINDOW_MS.
 */
export async function loginOptionsFromEnv(env: NodeJS.ProcessEnv): Promise<LoginServiceOptions> {
  const site = env.LOGIN_SITE
  if (!site) throw new Error('LOGIN_SITE must name the site this login service serves')
  const identityFile = env.LOGIN_IDENTITY_FILE
  if (!identityFile) throw new Error('LOGIN_IDENTITY_FILE must name the identity file ({"accounts": [{account, passwordSha256}]})')
  return {
    site,
    redisUrl: env.LOGIN_REDIS_URL || 'redis://127.0.0.1:6379',
    host: env.LOGIN_HOST || '0.0.0.0',
    port: integer(env, 'LOGIN_PORT', 8080, 0),
    ...(env.LOGIN_REUSE_PORT === 'true' ? { reusePort: true } : {}),
    ...(env.LOGIN_PUBLIC_URL ? { publicUrl: env.LOGIN_PUBLIC_URL } : {}),
    tokenSecret: await readTokenSecret({ file: env.LOGIN_TOKEN_SECRET_FILE, value: env.LOGIN_TOKEN_SECRET }),
    tokenTtlSeconds: integer(env, 'LOGIN_TOKEN_TTL_SECONDS', defaultLoginOptions.tokenTtlSeconds, 60),
    sessionTimeoutMs: integer(env, 'LOGIN_SESSION_TIMEOUT_MS', defaultLoginOptions.sessionTimeoutMs, 100),
    sweepIntervalMs: integer(env, 'LOGIN_SWEEP_INTERVAL_MS', defaultLoginOptions.sweepIntervalMs, 10),
    ...(env.LOGIN_ACD_URL ? { acdUrl: env.LOGIN_ACD_URL } : {}),
    identity: await loadIdentityFile(identityFile),
    signInLimits: {
      failuresPerAccount: integer(env, 'LOGIN_SIGNIN_FAILURES_PER_ACCOUNT', defaultSignInLimits.failuresPerAccount, 1),
      accountWindowMs: integer(env, 'LOGIN_SIGNIN_ACCOUNT_WINDOW_MS', defaultSignInLimits.accountWindowMs, 1000),
      attemptsPerAddress: integer(env, 'LOGIN_SIGNIN_ATTEMPTS_PER_ADDRESS', defaultSignInLimits.attemptsPerAddress, 1),
      addressWindowMs: integer(env, 'LOGIN_SIGNIN_ADDRESS_WINDOW_MS', defaultSignInLimits.addressWindowMs, 1000),
    },
    logLevel: env.LOGIN_LOG_LEVEL || 'info',
  }
}
