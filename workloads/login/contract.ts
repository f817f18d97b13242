// The login service's configuration contract: every environment variable config.ts reads. The operator
// renders the login pod's env from it (operator/render/site/login.ts) and the e2e harness starts the
// process with it (e2e/sites/login-process.ts), so neither can give it a name it does not read. It
// imports only pure pieces of the service (the sign-in limits' defaults), so the operator loads little.
import { envContract, setting, type ConfigOf } from '../lib/env-contract.ts'
import { defaultSignInLimits } from './attempt-limits.ts'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const loginContract = envContract('login', {
  site: setting.text('LOGIN_SITE', 'the name of the site this login service serves, e.g. shanghai').required(),
  redisUrl: setting
    .url('LOGIN_REDIS_URL', "the site's Redis, without the password", ['redis:', 'rediss:'])
    .default('redis://127.0.0.1:6379'),
  redisPassword: setting.text('LOGIN_REDIS_PASSWORD', "the site's Redis password (a Managed Redis runs with --requirepass)").sensitive(),
  host: setting.text('LOGIN_HOST', 'the address it listens on').default('0.0.0.0'),
  port: setting.port('LOGIN_PORT', 'the port it listens on (0: any free port)').default(8080),
  reusePort: setting.boolean('LOGIN_REUSE_PORT', 'replicas on one host share the port (SO_REUSEPORT)').default(false),
  publicUrl: setting.url(
    'LOGIN_PUBLIC_URL',
    're-login instructions name this address (where agents reach this service); default: the listen address',
    ['http:', 'https:'],
  ),
  tokenSecretFile: setting.text('LOGIN_TOKEN_SECRET_FILE', 'a file holding the session-token signing key (a mounted Secret)'),
  tokenSecret: setting
    .text('LOGIN_TOKEN_SECRET', 'the session-token signing key itself (at least 32 bytes), when LOGIN_TOKEN_SECRET_FILE is not set')
    .sensitive(),
  tokenTtlSeconds: setting.integer('LOGIN_TOKEN_TTL_SECONDS', 'how long a session token is valid', { min: 60 }).default(900),
  sessionTimeoutMs: setting
    .integer('LOGIN_SESSION_TIMEOUT_MS', 'a session without heartbeats for this long ends and releases its lease', { min: 100 })
    .default(15_000),
  sweepIntervalMs: setting.integer('LOGIN_SWEEP_INTERVAL_MS', 'how often silent sessions are looked for', { min: 10 }).default(1_000),
  acdUrl: setting.url('LOGIN_ACD_URL', "the site's ACD, told of every sign-in and sign-out (none: agents are not offered calls)", [
    'http:',
    'https:',
  ]),
  identityFile: setting
    .text('LOGIN_IDENTITY_FILE', 'the identity file: who may sign in ({"accounts": [{"account", "passwordSha256"}]})')
    .required(),
  // Password sign-in limits (attempt-limits.ts).
  signInFailuresPerAccount: setting
    .integer('LOGIN_SIGNIN_FAILURES_PER_ACCOUNT', 'wrong passwords an account may have within its window', { min: 1 })
    .default(defaultSignInLimits.failuresPerAccount),
  signInAccountWindowMs: setting
    .integer('LOGIN_SIGNIN_ACCOUNT_WINDOW_MS', 'the window of LOGIN_SIGNIN_FAILURES_PER_ACCOUNT', { min: 1000 })
    .default(defaultSignInLimits.accountWindowMs),
  signInAttemptsPerAddress: setting
    .integer('LOGIN_SIGNIN_ATTEMPTS_PER_ADDRESS', 'password sign-ins one source address may make within its window', { min: 1 })
    .default(defaultSignInLimits.attemptsPerAddress),
  signInAddressWindowMs: setting
    .integer('LOGIN_SIGNIN_ADDRESS_WINDOW_MS', 'the window of LOGIN_SIGNIN_ATTEMPTS_PER_ADDRESS', { min: 1000 })
    .default(defaultSignInLimits.addressWindowMs),
  logLevel: setting.oneOf('LOGIN_LOG_LEVEL', 'how much it logs', LOG_LEVELS).default('info'),
})

export type LoginSettings = ConfigOf<typeof loginContract.settings>
