// The WAN between the two sites of the local harness: every path by which one site reaches the other
// goes through a proxy the test can cut. Per site, the proxies in front of it stand for "this site as
// seen from the other site": its edge (SIP), its soft switch (SIP: the other edge's route and the other
// operator's probe share it), its login service, ACD, edge JSON-RPC, Redis and drill agent. The agents'
// own connections do not go through the WAN (agents sit in offices that reach both sites).
import type { Site } from '../../crds/types.ts'
import type { SoftswitchAddress } from '../../operator/render/kamailio/index.ts'
import { startCuttableUdpProxy, type CuttableUdpProxy } from '../net/cuttable-udp-proxy.ts'
import { startProxy, type CuttableProxy } from '../operator/tcp-proxy.ts'
import type { SiteName } from '../sites/manifests.ts'
import type { RunningSite } from '../sites/two-sites.ts'

const LOOPBACK = '127.0.0.1'

/** One site as the other site reaches it. */
interface FarSide {
  edgeSip: CuttableUdpProxy
  softswitchSip: CuttableUdpProxy
  /** By the origin (host:port) of the site's own address: login, ACD, edge JSON-RPC, Redis, drill agent. */
  tcp: Map<string, { component: string; proxy: CuttableProxy }>
}

export interface Wan {
  /** For startTwoSites' remoteSoftswitch: the other edge reaches a soft switch through the WAN. */
  remoteSoftswitch(route: { softswitchSite: SiteName; address: SoftswitchAddress }): Promise<SoftswitchAddress>
  /** Puts the WAN in front of each running site (after startTwoSites). */
  connect(sites: Record<SiteName, RunningSite>): Promise<void>
  /** The Site as the other site's cluster has it: the same spec, every address of it through the WAN. */
  seenFromAfar(site: Site): Site
  /**
   * Cuts every path between the sites, both ways: datagrams dropped, connections reset and refused.
   * Returns how many connections each TCP path (`<site>/<component>`) had open when it was cut.
   */
  cut(): Record<string, number>
  heal(): void
  close(): Promise<void>
}

const closing = async (proxies: readonly { close(): Promise<void> }[]) => {
  await Promise.allSettled(proxies.map((p) => p.close()))
}

export function startWan(): Wan {
  const softswitches = new Map<SiteName, CuttableUdpProxy>()
  const far = new Map<SiteName, FarSide>()
  const everyUdp = () => [...softswitches.values(), ...[...far.values()].map((f) => f.edgeSip)]
  const everyTcp = () => [...far.values()].flatMap((f) => [...f.tcp.values()].map((t) => t.proxy))
  const farSide = (name: string): FarSide => {
    const side = far.get(name as SiteName)
    if (side === undefined) throw new Error(`no WAN in front of site ${name}`)
    return side
  }
  return {
    async remoteSoftswitch({ softswitchSite, address }) {
      const proxy = softswitches.get(softswitchSite) ?? (await startCuttableUdpProxy({ target: address }))
      softswitches.set(softswitchSite, proxy)
      return { name: address.name, host: proxy.host, port: proxy.port }
    },
    async connect(sites) {
      for (const site of Object.values(sites)) {
        const softswitchSip = softswitches.get(site.name) ?? (await startCuttableUdpProxy({ target: site.softswitchSip }))
        softswitches.set(site.name, softswitchSip)
        const tcp: FarSide['tcp'] = new Map()
        const addresses = {
          login: site.loginUrl,
          acd: site.acdUrl,
          edgeRpc: site.edgeRpcUrl,
          redis: site.redisUrl,
          drillAgent: site.drillAgentUrl,
        }
        for (const [component, address] of Object.entries(addresses)) {
          const url = new URL(address)
          tcp.set(`${url.hostname}:${url.port}`, { component, proxy: await startProxy(url) })
        }
        far.set(site.name, { softswitchSip, edgeSip: await startCuttableUdpProxy({ target: site.edgeSip }), tcp })
      }
    },
    seenFromAfar(site) {
      const name = site.metadata.name
      const side = farSide(name)
      const proxyOf = (host: string, port: number | undefined) => {
        const path = side.tcp.get(`${host}:${String(port)}`)
        if (path === undefined) throw new Error(`site ${name}: ${host}:${String(port)} has no path through the WAN`)
        return path.proxy
      }
      const through = (url: string) => {
        const proxied = new URL(url)
        proxied.port = String(proxyOf(proxied.hostname, Number(proxied.port)).port)
        return proxied.toString().replace(/\/$/, '')
      }
      const { softswitch, edge, acd, login, cti } = site.spec.components
      const external = <C extends { external?: { url: string } }>(component: C): C =>
        component.external === undefined
          ? component
          : { ...component, external: { ...component.external, url: through(component.external.url) } }
      const redis = site.spec.redis.external
      const drillAgent = site.spec.drillAgent
      return {
        ...site,
        spec: {
          ...site.spec,
          components: {
            softswitch: {
              ...softswitch,
              ...(softswitch.external && {
                external: {
                  servers: softswitch.external.servers.map((s) => ({
                    ...s,
                    host: side.softswitchSip.host,
                    sipPort: side.softswitchSip.port,
                  })),
                },
              }),
            },
            edge: {
              ...edge,
              ...(edge.external && {
                external: {
                  servers: edge.external.servers.map((s) => ({
                    ...s,
                    host: side.edgeSip.host,
                    sipPort: side.edgeSip.port,
                    rpcUrl: through(s.rpcUrl),
                  })),
                },
              }),
            },
            acd: external(acd),
            login: external(login),
            cti: external(cti),
          },
          redis:
            redis === undefined
              ? site.spec.redis
              : { ...site.spec.redis, external: { ...redis, host: LOOPBACK, port: proxyOf(redis.host, redis.port).port } },
          ...(drillAgent && { drillAgent: { ...drillAgent, url: through(drillAgent.url) } }),
        },
      }
    },
    cut() {
      for (const proxy of everyUdp()) proxy.cut()
      const open: Record<string, number> = {}
      for (const [site, side] of far) {
        for (const { component, proxy } of side.tcp.values()) {
          proxy.pause()
          open[`${site}/${component}`] = proxy.cut()
        }
      }
      return open
    },
    heal() {
      for (const proxy of everyUdp()) proxy.heal()
      for (const proxy of everyTcp()) proxy.resume()
    },
    async close() {
      await closing([...everyUdp(), ...everyTcp()])
    },
  }
}
