// A Lua script run by its SHA1 (EVALSHA), loaded with EVAL the first time a Redis has not seen it
// (after a restart too). Scripts run atomically: the way workloads change several keys at once.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export class LuaScript {
  readonly source: string
  readonly sha: string

  constructor(source: string) {
    this.source = source
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return redis.eval(this.source, keys.length, ...keys, ...args)
    }
  }
}
