// Signed session tokens (JWT, HS256): what the login service hands an agent at sign-in and checks on
// the agent WebSocket, on sign-out and on re-login at a peer site (the sites share the secret).
// Tokens are bearer secrets: never log one.
import { readFile } from 'node:fs/promises'
import { errors, jwtVerify, SignJWT } from 'jose'

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
  // Imported once: handing jose the raw bytes would import the key again on every sign and verify.
  const secret = crypto.subtle.importKey('raw', options.secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  return {
    ttlSeconds,
    async issue(claims, now = Date.now()) {
      const issuedAt = Math.floor(now / 1000)
      return new SignJWT({
        sid: claims.sessionId,
        site: claims.site,
        op: claims.operatorId,
        pool: claims.pool,
        ext: claims.extension,
        pc: claims.pcHostName,
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setSubject(claims.agentId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(await secret)
    },
    async verify(token) {
      let payload
      try {
        ;({ payload } = await jwtVerify(token, await secret, { issuer: ISSUER, algorithms: ['HS256'] }))
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new TokenError('token-expired', 'the session token has expired: sign in again')
        throw new TokenError('token-invalid', 'the session token is not valid (bad signature, issuer or format)')
      }
      const { sub, sid, site, op, pool, ext, pc, exp, iat } = payload
      if (
        typeof sub !== 'string' ||
        typeof sid !== 'string' ||
        typeof site !== 'string' ||
        typeof op !== 'number' ||
        typeof pool !== 'string' ||
        typeof ext !== 'string' ||
        typeof pc !== 'string' ||
        exp === undefined ||
        iat === undefined
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
    },
  }
}

/** The secret from a file (a mounted Secret; preferred) or from the environment variable itself. */
export async function readTokenSecret(options: { file?: string | undefined; value?: string | undefined }): Promise<Uint8Array> {
  if (options.file) return new Uint8Array(await readFile(options.file))
  if (options.value) return new TextEncoder().encode(options.value)
  throw new Error('no token secret: set LOGIN_TOKEN_SECRET_FILE (a mounted Secret) or LOGIN_TOKEN_SECRET')
}
