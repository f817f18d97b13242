// Who is signed in at each site, read from both sites' Redis (the login services' live sessions) a few
// times a second, for agents signed in at two sites at once. Unlike e2e/multicluster/sessions.ts, each
// read is bounded and judged by the Redis server's own clock when it answers: a frozen site's Redis does
// not answer (that sample is counted as unreadable: a frozen site serves nobody), and a read queued while
// it was frozen is not judged by the time it was sent.
import { Redis } from 'ioredis'
import { setTimeout as delay } from 'node:timers/promises'
import { loginKeys } from '../../workloads/login/keys.ts'
import type { DoubleSignIn } from '../multicluster/sessions.ts'
import { SITE_NAMES, type SiteName } from '../sites/manifests.ts'
import type { TwoSites } from '../sites/two-sites.ts'

export interface SignInSampler {
  /** Samples in which both sites answered. */
  samples(): number
  /** Samples in which a site's Redis did not answer in time. */
  unreadable(): number
  /** Stops sampling; every agent seen with a live session at both sites in the same sample. */
  stop(): Promise<DoubleSignIn[]>
}

/** Live sessions at the Redis server's time of answering. */
const LIVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
`

export function sampleSignIns(sites: TwoSites, intervalMs = 200, readTimeoutMs = 1_000): SignInSampler {
  const clients = SITE_NAMES.map((name) => ({
    name,
    redis: new Redis(sites.sites[name].redisUrl, { maxRetriesPerRequest: 0, commandTimeout: readTimeoutMs }).on('error', () => undefined),
  }))
  const live = async (redis: Redis, site: SiteName) => new Set((await redis.eval(LIVE, 1, loginKeys(site).deadlines())) as string[])
  const found: DoubleSignIn[] = []
  let samples = 0
  let unreadable = 0
  const sampling = { running: true }
  const loop = (async () => {
    while (sampling.running) {
      const [first, second] = await Promise.allSettled(clients.map((c) => live(c.redis, c.name)))
      if (first?.status === 'fulfilled' && second?.status === 'fulfilled') {
        const at = Date.now()
        for (const agent of first.value) if (second.value.has(agent)) found.push({ agent, at })
        samples++
      } else {
        // A site that does not answer (frozen, or dead with its Redis) holds no session anyone can use.
        unreadable++
      }
      await delay(intervalMs)
    }
  })()
  return {
    samples: () => samples,
    unreadable: () => unreadable,
    async stop() {
      sampling.running = false
      await loop
      for (const c of clients) c.redis.disconnect()
      return found
    },
  }
}
