// Reads the login service's settings from the environment, as its contract (contract.ts) lists them
// (pure except for reading the files named there).
import { loadIdentityFile } from '../lib/auth/identity.ts'
import { readTokenSecret } from '../lib/auth/tokens.ts'
import { redisUrlWithPassword, type Environment } from '../lib/env-contract.ts'
import { loginContract } from './contract.ts'
import type { LoginServiceOptions } from './server.ts'

/** As createTokenSigner requires; checked here to name the variable. */
const MIN_TOKEN_SECRET_BYTES = 32

/** Throws EnvContractError naming every missing or malformed variable, or an Error naming the unreadable file. */
export async function loginOptionsFromEnv(env: Environment): Promise<LoginServiceOptions> {
  const settings = loginContract.parse(env)
  const tokenSecret = await readTokenSecret({ file: settings.tokenSecretFile, value: settings.tokenSecret })
  if (tokenSecret.length < MIN_TOKEN_SECRET_BYTES) {
    const from = settings.tokenSecretFile ? `LOGIN_TOKEN_SECRET_FILE (${settings.tokenSecretFile})` : 'LOGIN_TOKEN_SECRET'
    throw new Error(`${from}: the token secret must be at least ${MIN_TOKEN_SECRET_BYTES} bytes, got ${tokenSecret.length}`)
  }
  return {
    site: settings.site,
    redisUrl: redisUrlWithPassword(settings.redisUrl, settings.redisPassword),
    host: settings.host,
    port: settings.port,
    ...(settings.reusePort ? { reusePort: true } : {}),
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
    tokenSecret,
    tokenTtlSeconds: settings.tokenTtlSeconds,
    sessionTimeoutMs: settings.sessionTimeoutMs,
    sweepIntervalMs: settings.sweepIntervalMs,
    ...(settings.acdUrl ? { acdUrl: settings.acdUrl } : {}),
    identity: await loadIdentityFile(settings.identityFile),
    signInLimits: {
      failuresPerAccount: settings.signInFailuresPerAccount,
      accountWindowMs: settings.signInAccountWindowMs,
      attemptsPerAddress: settings.signInAttemptsPerAddress,
      addressWindowMs: settings.signInAddressWindowMs,
    },
    logLevel: settings.logLevel,
  }
}
