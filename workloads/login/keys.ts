// The login service's own live state in its site's Redis, under `login:<site>:` (the `cc:` keys are the
// projection's, read-only here). The Lua scripts in session-store.ts build the pool keys from the same
// prefix, because pool names are only known at run time.

export function loginKeys(site: string) {
  const prefix = `login:${site}:`
  return {
    prefix,
    /** String: password sign-ins from this source address in the current window; expires when the window ends. */
    signInsFrom: (address: string) => `${prefix}signin-attempts:address:${address}`,
    /** String: wrong passwords for this account (lower case) in the current window; expires when the window ends. */
    wrongPasswordsFor: (account: string) => `${prefix}signin-attempts:account:${account.toLowerCase()}`,
    /** Hash: sessionId, pool, operatorId, leaseMs, extension, pcHostName, signedInAt. */
    session: (agentId: string) => `${prefix}session:${agentId}`,
    /** Sorted set: agentId by the time (ms) its session ends unless a heartbeat comes. */
    deadlines: () => `${prefix}session-deadlines`,
    /** Sorted set: leased operator IDs of a pool by lease expiry (ms). */
    leases: (pool: string) => `${prefix}pool:${pool}:leases`,
    /** Hash: operator ID -> agentId holding (or last holding) its lease. */
    owners: (pool: string) => `${prefix}pool:${pool}:owners`,
    /** Channel: JSON {agentId, sessionId, reason} whenever a session ends. */
    events: () => `${prefix}events`,
    /** Channel: JSON {id, failedSite, mode, skillGroups?} when a takeover starts, for every replica's standby connections. */
    takeovers: () => `${prefix}takeovers`,
    /** Hash: failedSite, mode, skillGroups (JSON, when given), startedAt, instructed (count). */
    takeover: (id: string) => `${prefix}takeover:${id}`,
    /** Sorted set: ids of the takeovers that keep instructing, by until when (ms): a replica that starts meanwhile stands them too. */
    standingTakeovers: () => `${prefix}standing-takeovers`,
    /** String: the id of the takeover started with this idempotency key. */
    takeoverByKey: (key: string) => `${prefix}takeover-key:${key}`,
    /** Hash: agentId -> re-login time (ms after the takeover started). */
    takeoverRelogins: (id: string) => `${prefix}takeover:${id}:relogins`,
    /** Hash: agentId -> why it declined (a failover takeover while its own site still answered). */
    takeoverDeclines: (id: string) => `${prefix}takeover:${id}:declines`,
    /** Hash: agentId -> ms after the start when it was first told (once, however often a standing takeover tells it). */
    takeoverInstructed: (id: string) => `${prefix}takeover:${id}:instructed`,
  }
}

export type LoginKeys = ReturnType<typeof loginKeys>
