// A sign-in as the service counts it: timed, counted by kind or by the reason it was refused, and, when
// a takeover asked for it, recorded as that takeover's re-login. Over HTTP and over a standby connection alike.
import type { SignInResult } from '../lib/protocol.ts'
import type { LoginContext } from './context.ts'
import { SignInError } from './errors.ts'
import { recordRelogin } from './takeover.ts'

export async function recordedSignIn(
  ctx: LoginContext,
  kind: 'password' | 'token',
  attempt: () => Promise<SignInResult>,
  takeoverId?: unknown,
): Promise<SignInResult> {
  const stopTimer = ctx.metrics.duration.startTimer()
  try {
    const result = await attempt()
    ctx.metrics.signIns.inc({ kind })
    if (typeof takeoverId === 'string' && takeoverId.length > 0) await recordRelogin(ctx, takeoverId, result.agentId)
    return result
  } catch (error) {
    if (error instanceof SignInError) ctx.metrics.failures.inc({ reason: error.code })
    throw error
  } finally {
    stopTimer()
  }
}
