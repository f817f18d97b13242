// Reads who is signed in at each site from the sites' own Redis (the login services' live sessions),
// and samples it over time for agents signed in at two sites at once.
import { Redis } from 'ioredis'
import { setTimeout as delay } from 'node:timers/promises'
import { loginKeys } from '../../workloads/login/keys.ts'
import { SITE_NAMES, type SiteName } from '../sites/manifests.ts'
import type { TwoSites } from '../sites/two-sites.ts'

export interface DoubleSignIn {
  agent: string
  /** Epoch ms of the sample that saw it. */
  at: number
}

export interface SessionSampler {
  /** How many samples were taken so far. */
  samples(): number
  /** Stops sampling; every agent seen with a live session at both sites in the same sample. */
  stop(): Promise<DoubleSignIn[]>
}

/** The agents with a live session at the site now (their session deadline is still ahead). */
async function liveSessions(redis: Redis, site: SiteName): Promise<Set<string>> {
  return new Set(await redis.zrangebyscore(loginKeys(site).deadlines(), Date.now(), '+inf'))
}

export function sampleDoubleSignIns(sites: TwoSites, intervalMs = 200): SessionSampler {
  const clients = SITE_NAMES.map((name) => ({ name, redis: new Redis(sites.sites[name].redisUrl, { maxRetriesPerRequest: 1 }) }))
  const found: DoubleSignIn[] = []
  let samples = 0
  const sampling = { running: true }
  const loop = (async () => {
    while (sampling.running) {
      const [first, second] = await Promise.all(clients.map((c) => liveSessions(c.redis, c.name)))
      const at = Date.now()
      for (const agent of first ?? []) if (second?.has(agent)) found.push({ agent, at })
      samples++
      await delay(intervalMs)
    }
  })()
  return {
    samples: () => samples,
    async stop() {
      sampling.running = false
      await loop
      for (const c of clients) c.redis.disconnect()
      return found
    },
  }
}
