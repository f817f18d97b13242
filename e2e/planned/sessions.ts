// Samples both sites' Redis for the login sessions of a set of agents, over and over, and remembers
// every agent it ever found signed in at both sites at once.
import { Redis } from 'ioredis'
import type { SiteName } from '../sites/two-sites.ts'

export interface SessionSampler {
  /** The sites whose Redis holds a session of the agent now. */
  sitesOf(agentId: string): Promise<SiteName[]>
  /** Stops sampling; returns the agents seen at two sites and how many rounds were sampled. */
  stop(): Promise<{ doubles: string[]; rounds: number }>
}

const SITES: readonly SiteName[] = ['shanghai', 'nantong']

export function sampleSessions(redisUrls: Record<SiteName, string>, agentIds: readonly string[], everyMs = 100): SessionSampler {
  const clients = Object.fromEntries(SITES.map((site) => [site, new Redis(redisUrls[site])])) as Record<SiteName, Redis>
  const sessionKey = (site: SiteName, agentId: string) => `login:${site}:session:${agentId}`
  /** One pipelined round per site: which of the agents have a session there. */
  const round = async (ids: readonly string[]): Promise<Record<SiteName, boolean[]>> => {
    const answers = await Promise.all(
      SITES.map(async (site) => {
        const pipeline = clients[site].pipeline()
        for (const agentId of ids) pipeline.exists(sessionKey(site, agentId))
        return ((await pipeline.exec()) ?? []).map(([error, count]) => error === null && count === 1)
      }),
    )
    return { shanghai: answers[0] ?? [], nantong: answers[1] ?? [] }
  }
  const doubles = new Set<string>()
  const state = { rounds: 0, running: true }
  const loop = (async () => {
    while (state.running) {
      const found = await round(agentIds)
      agentIds.forEach((agentId, index) => {
        if (found.shanghai[index] === true && found.nantong[index] === true) doubles.add(agentId)
      })
      state.rounds++
      await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
  })()
  return {
    async sitesOf(agentId) {
      const found = await round([agentId])
      return SITES.filter((site) => found[site][0] === true)
    },
    async stop() {
      state.running = false
      await loop
      for (const client of Object.values(clients)) client.disconnect()
      return { doubles: [...doubles], rounds: state.rounds }
    },
  }
}
