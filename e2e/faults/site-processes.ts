// Every process of one harness site (e2e/sites/two-sites.ts), found by the ports the site serves on: its
// Redis, login service, ACD, edge (SIP and JSON-RPC) and soft switch (SIPp standing in for FreeSWITCH).
import type { RunningSite } from '../sites/two-sites.ts'
import { pidsServing, type Endpoint } from './freeze.ts'

const tcp = (url: string): Endpoint => ({ protocol: 'tcp', port: Number(new URL(url).port) })

export function siteEndpoints(site: RunningSite): Record<'redis' | 'login' | 'acd' | 'edge' | 'edgeRpc' | 'softswitch', Endpoint> {
  return {
    redis: tcp(site.redisUrl),
    login: tcp(site.loginUrl),
    acd: tcp(site.acdUrl),
    edge: { protocol: 'udp', port: site.edgeSip.port },
    edgeRpc: tcp(site.edgeRpcUrl),
    softswitch: { protocol: 'udp', port: site.softswitchSip.port },
  }
}

/** The process ids of every component of the site, by component, and all of them. */
export function siteProcesses(site: RunningSite): { byComponent: Record<string, number[]>; all: number[] } {
  const byComponent: Record<string, number[]> = {}
  for (const [component, endpoint] of Object.entries(siteEndpoints(site))) byComponent[component] = pidsServing([endpoint])
  return { byComponent, all: [...new Set(Object.values(byComponent).flat())].sort((a, b) => a - b) }
}
