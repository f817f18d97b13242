// Signed session tokens (JWT, HS256): what the login service hands an agent at sign-in and checks on
// the agent WebSocket, on sign-out and on re-login at a peer site (the sites share the secret).
// Tokens are bearer secrets: never log one. fast-jwt signs with node:crypto's HMAC, synchronously: a
// takeover re-signs thousands of agents in at once, and WebCrypto's queued jobs (jose) cost the login
// service several times as much CPU per token (measured: 60 vs 9 µs per sign on an idle core).
import { readFile } from 'node:fs/promises'
import { createSigner, createVerifier, TokenError as JwtError } from 'fast-jwt'

export interface SessionClaims {
  agentId: string
  sessionId: string
  /** The site the session was opened at. */
  site: string
  operatorId: number
  pool: string
  extension: string
  pcHostName: string
}

export type TokenErrorCode = 'token-expired' | 'token-invalid'

export class TokenError extends Error {
  readonly code: TokenErrorCode

  constructor(code: TokenErrorCode, message: string) {
    super(message)
    this.name = 'TokenError'
    this.code = code
  }
}

export interface TokenSigner {
  readonly ttlSeconds: number
  /** `now` (ms) only to make tokens that are already expired in tests. */
  issue(claims: SessionClaims, now?: number): Promise<string>
  verify(token: string): Promise<SessionClaims & { expiresAt: number; issuedAt: number }>
}

const ISSUER = 'callcenter-login'
const MIN_SECRET_BYTES = 32

export function createTokenSigner(options: { secret: Uint8Array; ttlSeconds: number }): TokenSigner {
  if (options.secret.length < MIN_SECRET_BYTES) {
    throw new Error(`the token secret must be at least ${MIN_SECRET_BYTES} bytes, got ${options.secret.length}`)
  }
  const { ttlSeconds } = options
  const key = Buffer.from(options.secret)
  const sign = createSigner({ key, algorithm: 'HS256', iss: ISSUER, expiresIn: ttlSeconds * 1000 })
  const decode = createVerifier({ key, algorithms: ['HS256'], allowedIss: ISSUER })
  return {
    ttlSeconds,
    issue(claims, now = Date.now()) {
      const payload = {
        sub: claims.agentId,
        sid: claims.sessionId,
        site: claims.site,
        op: claims.operatorId,
        pool: claims.pool,
        ext: claims.extension,
        pc: claims.pcHostName,
        iat: Math.floor(now / 1000),
      }
      return Promise.resolve(sign(payload))
    },
    verify(token) {
      try {
        return Promise.resolve(sessionClaimsOf(decode(token) as Record<string, unknown>))
      } catch (error) {
        return Promise.reject(error instanceof TokenError ? error : refusalOf(error))
      }
    },
  }
}

function refusalOf(error: unknown): TokenError {
  if (error instanceof JwtError && error.code === JwtError.codes.expired) {
    return new TokenError('token-expired', 'the session token has expired: sign in again')
  }
  return new TokenError('token-invalid', 'the session token is not valid (bad signature, issuer or format)')
}

function sessionClaimsOf(payload: Record<string, unknown>): SessionClaims & { expiresAt: number; issuedAt: number } {
  const { sub, sid, site, op, pool, ext, pc, exp, iat } = payload
  if (
    typeof sub !== 'string' ||
    typeof sid !== 'string' ||
    typeof site !== 'string' ||
    typeof op !== 'number' ||
    typeof pool !== 'string' ||
    typeof ext !== 'string' ||
    typeof pc !== 'string' ||
    typeof exp !== 'number' ||
    typeof iat !== 'number'
  ) {
    throw new TokenError('token-invalid', 'the session token lacks session claims')
  }
  return {
    agentId: sub,
    sessionId: sid,
    site,
    operatorId: op,
    pool,
    extension: ext,
    pcHostName: pc,
    expiresAt: exp * 1000,
    issuedAt: iat * 1000,
  }
}

/** The secret from a file (a mounted Secret; preferred) or from the environment variable itself. */
export async function readTokenSecret(options: { file?: string | undefined; value?: string | undefined }): Promise<Uint8Array> {
  if (options.file) return new Uint8Array(await readFile(options.file))
  if (options.value) return new TextEncoder().encode(options.value)
  throw new Error('no token secret: set LOGIN_TOKEN_SECRET_FILE (a mounted Secret) or LOGIN_TOKEN_SECRET')
}
