// Unified sign-in: account (or a session token from any site) -> AgentSeat -> skill groups -> an
// operator-ID lease -> PC host name -> PhoneMAC -> this site's extension. Reads the projection, decides
// (pure), then opens the session in one atomic script: a refusal at any step leaves nothing behind.
// A site whose spec.traffic is not Active takes no new agents: the refusal names a peer site.
import { randomUUID } from 'node:crypto'
import { TokenError, type SessionClaims } from '../lib/auth/tokens.ts'
import { projectionKeys } from '../lib/keys.ts'
import {
  decodeAgentSeat,
  decodePhone,
  decodeSitePools,
  decodeSiteState,
  type ProjectedAgentSeat,
  type ProjectedPhone,
  type ProjectedSiteState,
} from '../lib/projection/decode.ts'
import type { LoginContext } from './context.ts'
import { closedSiteRefusal, decideSignIn, peerSitesFor, siteAdmits, type SignInArrival } from './decide.ts'
import type { SignInResult } from '../lib/protocol.ts'
import { SignInError } from './errors.ts'

/** Refuses a sign-in the site's traffic state does not admit; the peers are read only then. No projected state yet: the pools decide. */
async function admitAtSite(
  ctx: LoginContext,
  siteStateText: string | null,
  arrival: SignInArrival,
  seat: ProjectedAgentSeat,
  phone: ProjectedPhone | null,
): Promise<void> {
  const state = decodeSiteState(siteStateText)
  if (state === null || siteAdmits(state.traffic, arrival)) return
  const names = await ctx.redis.smembers(projectionKeys.siteIndex())
  const texts = names.length === 0 ? [] : await ctx.redis.mget(...names.map((name) => projectionKeys.site(name)))
  const states = texts.map(decodeSiteState).filter((peer): peer is ProjectedSiteState => peer !== null)
  throw closedSiteRefusal(ctx.site, state.traffic, peerSitesFor(ctx.site, states, seat, phone))
}

async function openSession(
  ctx: LoginContext,
  request: { seat: ProjectedAgentSeat; pcHostName: string; arrival: SignInArrival },
  projected: { phoneFields: Record<string, string> | null; poolsText: string | null; siteStateText: string | null },
): Promise<SignInResult> {
  const { seat, pcHostName } = request
  const phone = decodePhone(projected.phoneFields)
  await admitAtSite(ctx, projected.siteStateText, request.arrival, seat, phone)
  const pools = decodeSitePools(projected.poolsText)
  if (pools === null) throw new SignInError('site-not-configured', `site ${ctx.site} has no operator-ID pools in its Redis yet`)
  const decision = decideSignIn({ site: ctx.site, seat, pcHostName, phone, pools })
  if (decision instanceof SignInError) throw decision
  const sessionId = randomUUID()
  const opened = await ctx.store.open(
    seat.agentId,
    sessionId,
    { extension: decision.extension, pcHostName, mac: decision.mac },
    decision.pools,
  )
  if (opened === null) {
    const names = decision.pools.map((pool) => pool.name).join(', ')
    throw new SignInError('pool-exhausted', `every operator ID of pool ${names} at site ${ctx.site} is leased`)
  }
  const claims = {
    agentId: seat.agentId,
    sessionId,
    site: ctx.site,
    operatorId: opened.operatorId,
    pool: opened.pool,
    extension: decision.extension,
    pcHostName,
  }
  const issuedAt = Date.now()
  const token = await ctx.tokens.issue(claims, issuedAt)
  ctx.acd.signedIn(seat.agentId, { site: ctx.site, extension: decision.extension, operatorId: opened.operatorId, skills: seat.skills })
  return {
    token,
    agentId: seat.agentId,
    site: ctx.site,
    operatorId: opened.operatorId,
    pool: opened.pool,
    extension: decision.extension,
    expiresAt: issuedAt + ctx.tokens.ttlSeconds * 1000,
    sessionTimeoutMs: ctx.sessionTimeoutMs,
    replaced: opened.replacedSessionId !== undefined,
  }
}

const stringField = (body: Record<string, unknown>, name: string, max: number): string => {
  const value = body[name]
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new SignInError('bad-request', `${name} must be a non-empty string of at most ${max} characters`)
  }
  return value
}

export const ACCOUNT_MAX_LENGTH = 256

/** Sign-in with the domain account and password, from the PC with this host name. */
export async function signInWithPassword(ctx: LoginContext, body: Record<string, unknown>): Promise<SignInResult> {
  const account = stringField(body, 'account', ACCOUNT_MAX_LENGTH)
  const password = stringField(body, 'password', 1024)
  const pcHostName = stringField(body, 'pcHostName', 63)
  const verdict = await ctx.identity.verify(account, password)
  if (verdict === 'unknown-account') throw new SignInError('unknown-account', `unknown account ${account}`)
  if (verdict === 'wrong-password') throw new SignInError('wrong-password', `wrong password for account ${account}`)
  const [agentId, mac, poolsText, siteStateText] = await ctx.redis.mget(
    projectionKeys.account(account),
    projectionKeys.pc(pcHostName),
    projectionKeys.sitePools(ctx.site),
    projectionKeys.site(ctx.site),
  )
  if (!agentId) throw new SignInError('unknown-account', `no AgentSeat has the account ${account}`)
  const [seatFields, phoneFields] = await Promise.all([
    ctx.redis.hgetall(projectionKeys.agentSeat(agentId)),
    mac ? ctx.redis.hgetall(projectionKeys.phone(mac)) : null,
  ])
  const seat = decodeAgentSeat(seatFields)
  if (seat === null) throw new SignInError('unknown-account', `the AgentSeat ${agentId} of account ${account} is not in this site's Redis`)
  return openSession(
    ctx,
    { seat, pcHostName, arrival: 'password' },
    { phoneFields, poolsText: poolsText ?? null, siteStateText: siteStateText ?? null },
  )
}

/** Re-login with a session token of any site (they share the signing secret), from the token's PC. */
export async function signInWithToken(ctx: LoginContext, token: string): Promise<SignInResult> {
  let claims
  try {
    claims = await ctx.tokens.verify(token)
  } catch (error) {
    if (error instanceof TokenError) throw new SignInError(error.code, error.message)
    throw error
  }
  return signInWithClaims(ctx, claims)
}

/** Re-login with the claims of a session token already verified, from that session's PC. */
export async function signInWithClaims(ctx: LoginContext, claims: SessionClaims): Promise<SignInResult> {
  const [mac, poolsText, siteStateText] = await ctx.redis.mget(
    projectionKeys.pc(claims.pcHostName),
    projectionKeys.sitePools(ctx.site),
    projectionKeys.site(ctx.site),
  )
  const [seatFields, phoneFields] = await Promise.all([
    ctx.redis.hgetall(projectionKeys.agentSeat(claims.agentId)),
    mac ? ctx.redis.hgetall(projectionKeys.phone(mac)) : null,
  ])
  const seat = decodeAgentSeat(seatFields)
  if (seat === null) throw new SignInError('unknown-account', `agent ${claims.agentId} has no AgentSeat in this site's Redis`)
  return openSession(
    ctx,
    { seat, pcHostName: claims.pcHostName, arrival: claims.site === ctx.site ? 'own-token' : 'peer-token' },
    { phoneFields, poolsText: poolsText ?? null, siteStateText: siteStateText ?? null },
  )
}
