// Two call-center sites, shanghai and nantong, as real local processes on loopback (External mode):
// per site a Redis, a login service, a SIPp UAS standing in for the FreeSWITCH soft switch, and a
// Kamailio edge rendered by the operator's renderer. Both Redis hold the whole fleet. The processes
// can be SIGKILLed per site (the "site dies" fault) or per component.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Site, Trunk } from '../../crds/types.ts'
import { buildFleet, type Fleet } from '../../examples/fleet/fleet.ts'
import { renderEdge, type SoftswitchAddress } from '../../operator/render/kamailio/index.ts'
import { startKamailio, type TestKamailio } from '../../workloads/edge/testing/kamailio.ts'
import { startUas, type TestUas } from '../../workloads/edge/testing/sipp.ts'
import { startRedis, type TestRedis } from '../../workloads/lib/testing/redis.ts'
import { projectFleet, randomSecret, writeIdentityFile } from './fleet-data.ts'
import { startLoginProcess, type LoginProcess } from './login-process.ts'
import { harnessTrunk, NAMESPACE, SITE_NAMES, siteManifest, type SiteName } from './manifests.ts'
import { killNow, killOnExit, pidsWithArgument, pidsWorkingIn, waitGone } from './processes.ts'

export type { SiteName } from './manifests.ts'

export type ComponentName = 'edge' | 'softswitch' | 'login' | 'redis'
const COMPONENTS: readonly ComponentName[] = ['edge', 'softswitch', 'login', 'redis']

export interface TwoSitesOptions {
  agents: number
  /** Default: one group per 40 agents, at least 1, at most 400. */
  skillGroups?: number
  /** How long a login session may stay silent; default 15 s. */
  sessionTimeoutMs?: number
}

export interface RunningSite {
  name: SiteName
  redisUrl: string
  loginUrl: string
  edgeSip: { host: string; port: number }
  edgeRpcUrl: string
  softswitchSip: { host: string; port: number }
  /** SIGKILLs every process of the site at once (the "site dies" fault); resolves once they are gone. */
  kill(): Promise<void>
  /** SIGKILLs the processes of one component; resolves once they are gone. */
  killComponent(name: ComponentName): Promise<void>
  /** Every INVITE the site's soft switch received so far. */
  softswitchInvites(): ReturnType<TestUas['invites']>
}

export interface TwoSites {
  sites: Record<SiteName, RunningSite>
  /** The password every agent of the fleet signs in with. */
  agentPassword: string
  fleet: Fleet
  siteManifests(): Site[]
  trunkManifests(): Trunk[]
  /** Stops every process and removes every temp dir. Safe to call twice. */
  stop(): Promise<void>
}

interface SiteProcesses {
  redis: TestRedis
  softswitch: TestUas
  edge?: TestKamailio
  login?: LoginProcess
  pids: Partial<Record<ComponentName, number[]>>
}

const HOST = '127.0.0.1'
/** No ACD runs in the harness: a URL nothing listens on (port 9 is discard, closed on loopback). */
const NO_ACD_URL = `http://${HOST}:9`

/** Finds the processes of a component once it runs (Kamailio has forked its workers by then); kills use these ids. */
function recordPids(processes: SiteProcesses, component: ComponentName): void {
  const { redis, softswitch, edge, login } = processes
  const found: Record<ComponentName, () => number[]> = {
    redis: () => pidsWorkingIn(redis.dir),
    softswitch: () => pidsWithArgument(`/sipp-${softswitch.name}-`),
    edge: () => (edge === undefined ? [] : pidsWithArgument(edge.dir)),
    login: () => (login === undefined ? [] : [login.pid]),
  }
  processes.pids[component] = found[component]()
}

/** The recorded processes of the components, forgotten once taken: a killed process's id is not killed twice. */
function takePids(processes: SiteProcesses, components: readonly ComponentName[]): number[] {
  return components.flatMap((component) => {
    const pids = processes.pids[component] ?? []
    processes.pids[component] = []
    return pids
  })
}

async function killComponents(processes: SiteProcesses, components: readonly ComponentName[]): Promise<void> {
  const pids = takePids(processes, components)
  killNow(pids)
  await waitGone(pids)
}

async function stopSite(processes: SiteProcesses): Promise<void> {
  await Promise.allSettled([processes.login?.kill(), processes.edge?.stop(), processes.softswitch.stop(), processes.redis.stop()])
}

export async function startTwoSites(options: TwoSitesOptions): Promise<TwoSites> {
  const fleet = buildFleet({
    agents: options.agents,
    skillGroups: options.skillGroups ?? Math.min(400, Math.max(1, Math.ceil(options.agents / 40))),
    namespace: NAMESPACE,
  })
  const trunk = harnessTrunk()
  const dir = await mkdtemp(join(tmpdir(), 'cc-two-sites-'))
  const started: Partial<Record<SiteName, SiteProcesses>> = {}
  const releaseExitHook = killOnExit(() => {
    const dirs = [dir]
    for (const processes of Object.values(started)) {
      killNow(takePids(processes, COMPONENTS))
      dirs.push(processes.redis.dir, ...(processes.edge === undefined ? [] : [processes.edge.dir]))
    }
    for (const each of dirs) rmSync(each, { recursive: true, force: true })
  })
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await Promise.all(Object.values(started).map(stopSite))
    await rm(dir, { recursive: true, force: true })
    releaseExitHook()
  }

  try {
    const agentPassword = randomSecret(12)
    const tokenSecretFile = join(dir, 'token-secret')
    const identityFile = join(dir, 'identity.json')
    await writeFile(tokenSecretFile, randomSecret(), { mode: 0o600 })
    await writeIdentityFile(identityFile, fleet, agentPassword)

    await Promise.all(
      SITE_NAMES.map(async (name) => {
        const redis = await startRedis()
        try {
          const processes: SiteProcesses = { redis, softswitch: await startUas({ name: `${name}-fs1-${randomSecret(4)}` }), pids: {} }
          started[name] = processes
          recordPids(processes, 'redis')
          recordPids(processes, 'softswitch')
        } catch (error) {
          await redis.stop()
          throw error
        }
      }),
    )
    const running = (name: SiteName): SiteProcesses => {
      const processes = started[name]
      if (processes === undefined) throw new Error(`site ${name} did not start`)
      return processes
    }
    const softswitches: Record<string, SoftswitchAddress[]> = Object.fromEntries(
      SITE_NAMES.map((name) => [name, [{ ...running(name).softswitch.address, name: 'fs1' }]]),
    )
    await Promise.all(
      SITE_NAMES.map(async (name) => {
        const processes = running(name)
        processes.edge = await startKamailio((ports) =>
          renderEdge({
            site: name,
            sites: fleet.sites,
            trunks: [trunk],
            softswitches,
            listen: { host: ports.host, sipPort: ports.sipPort },
            rpc: { host: ports.host, port: ports.rpcPort },
            dispatcherListPath: ports.dispatcherListPath,
            workers: 2,
            failoverTimeoutMilliseconds: 1000,
          }),
        )
        recordPids(processes, 'edge')
        await projectFleet(processes.redis.url, fleet)
        processes.login = await startLoginProcess({
          site: name,
          redisUrl: processes.redis.url,
          tokenSecretFile,
          identityFile,
          ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
        })
        recordPids(processes, 'login')
      }),
    )

    const runningSite = (name: SiteName): RunningSite => {
      const processes = running(name)
      const { edge, login } = processes
      if (edge === undefined || login === undefined) throw new Error(`site ${name} did not start`)
      return {
        name,
        redisUrl: processes.redis.url,
        loginUrl: login.url,
        edgeSip: { host: edge.host, port: edge.sipPort },
        edgeRpcUrl: edge.rpcUrl,
        softswitchSip: { host: HOST, port: processes.softswitch.port },
        kill: () => killComponents(processes, COMPONENTS),
        killComponent: (component) => killComponents(processes, [component]),
        softswitchInvites: () => processes.softswitch.invites(),
      }
    }
    const sites = { shanghai: runningSite('shanghai'), nantong: runningSite('nantong') }
    const poolsOf = (name: SiteName) => fleet.sites.find((site) => site.metadata.name === name)?.spec.operatorIdPools ?? []
    return {
      sites,
      agentPassword,
      fleet,
      siteManifests: () =>
        SITE_NAMES.map((name) => {
          const site = sites[name]
          const redis = running(name).redis
          return siteManifest(
            name,
            {
              redis: { host: redis.host, port: redis.port },
              loginUrl: site.loginUrl,
              acdUrl: NO_ACD_URL,
              edge: { host: site.edgeSip.host, sipPort: site.edgeSip.port, rpcUrl: site.edgeRpcUrl },
              softswitch: { host: site.softswitchSip.host, sipPort: site.softswitchSip.port },
            },
            poolsOf(name),
          )
        }),
      trunkManifests: () => [harnessTrunk()],
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
