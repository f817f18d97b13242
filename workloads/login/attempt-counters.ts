// The sign-in attempt counters in the site's Redis, so every replica counts the same attempts and a
// restarted replica forgets none. A window is a key that expires when the window ends.
import type { Redis } from 'ioredis'
import { LuaScript } from '../lib/redis-script.ts'
import type { AttemptCounts, WindowCount } from './attempt-limits.ts'
import type { LoginKeys } from './keys.ts'

// KEYS[1]: the counter; ARGV[1]: the window in ms. Counts one more; a counter without an expiry (the
// first of its window) gets one. Returns {count, ms until the window ends}.
const countInWindow = new LuaScript(`
local count = redis.call('INCR', KEYS[1])
local ends_in = redis.call('PTTL', KEYS[1])
if ends_in < 0 then
  ends_in = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ends_in)
end
return {count, ends_in}
`)

async function increment(redis: Redis, key: string, windowMs: number): Promise<WindowCount> {
  const [count, endsInMs] = (await countInWindow.run(redis, [key], [windowMs])) as [number, number]
  return { count, endsInMs }
}

async function read(redis: Redis, key: string): Promise<WindowCount> {
  const [count, endsInMs] = await Promise.all([redis.get(key), redis.pttl(key)])
  return { count: Number(count ?? 0), endsInMs: Math.max(0, endsInMs) }
}

export class AttemptCounters {
  private readonly redis: Redis
  private readonly keys: LoginKeys

  constructor(redis: Redis, keys: LoginKeys) {
    this.redis = redis
    this.keys = keys
  }

  /** Counts a password sign-in from the address, and reads the account's wrong passwords so far. */
  async attempt(address: string, account: string, addressWindowMs: number): Promise<AttemptCounts> {
    const [addressAttempts, wrongPasswords] = await Promise.all([
      increment(this.redis, this.keys.signInsFrom(address), addressWindowMs),
      read(this.redis, this.keys.wrongPasswordsFor(account)),
    ])
    return { account, address, addressAttempts, wrongPasswords }
  }

  async wrongPassword(account: string, accountWindowMs: number): Promise<void> {
    await increment(this.redis, this.keys.wrongPasswordsFor(account), accountWindowMs)
  }

  /** A signed-in account starts afresh: earlier typos do not count against its next sign-in. */
  async signedIn(account: string): Promise<void> {
    await this.redis.del(this.keys.wrongPasswordsFor(account))
  }
}
