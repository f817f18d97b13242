// What the login service's parts share: its site, its Redis and the services built on it.
import type { Redis } from 'ioredis'
import type { IdentityProvider } from '../lib/auth/identity.ts'
import type { TokenSigner } from '../lib/auth/tokens.ts'
import type { AcdNotifier } from './acd.ts'
import type { AttemptCounters } from './attempt-counters.ts'
import type { SignInLimits } from './attempt-limits.ts'
import type { LoginKeys } from './keys.ts'
import type { LoginMetrics } from './metrics.ts'
import type { SessionStore } from './session-store.ts'

export interface LoginContext {
  site: string
  /** Where agents reach this login service; sent in re-login instructions. */
  publicUrl: string
  redis: Redis
  keys: LoginKeys
  store: SessionStore
  tokens: TokenSigner
  identity: IdentityProvider
  acd: AcdNotifier
  metrics: LoginMetrics
  sessionTimeoutMs: number
  signInLimits: SignInLimits
  attempts: AttemptCounters
}
