// Two call-center sites, shanghai and nantong, as real local processes on loopback (External mode):
// per site a Redis, a login service, an ACD, a soft switch, and a Kamailio edge rendered by the
// operator's renderer. The soft switch is a real FreeSWITCH loaded with the rendered config, with the
// site's CTI bridge (`softswitch: 'freeswitch'`), or a SIPp UAS standing in for it where a suite needs a
// call rate or a fleet without phones that FreeSWITCH and 2 cores cannot give (`softswitch: 'sipp'`). Both Redis hold the whole fleet. The processes
// can be SIGKILLed per site (the "site dies" fault) or per component, and every component but Redis
// started again on the same ports with the same config; a drill agent per site does both for drills.
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
import type { DrillComponent } from '../../workloads/drill-agent/agent.ts'
import { freePort } from '../../workloads/edge/testing/ports.ts'
import { startAcdProcess, type AcdProcess, type AcdProcessOptions } from './acd-process.ts'
import { startCtiProcess, type CtiProcess, type CtiProcessOptions } from './cti-process.ts'
import { startFreeswitch, type FreeswitchProcess } from './freeswitch-process.ts'
import { callRecords } from './call-records.ts'
import { projectFleet, randomSecret, writeIdentityFile } from './fleet-data.ts'
import { loginReplicasFor, startLoginProcess, type LoginProcess, type LoginProcessOptions } from './login-process.ts'
import { eslSecret, harnessTrunk, NAMESPACE, SITE_NAMES, siteManifest, type SiteName } from './manifests.ts'
import { killNow, killOnExit, pidsWithArgument, pidsWorkingIn, waitGone } from './processes.ts'
import { respawnKamailio } from './respawn-kamailio.ts'
import { drillAgentSecret, startSiteDrillAgent, withDrillAgent, type SiteDrillAgent } from './site-drill-agent.ts'

export type { SiteName } from './manifests.ts'

export type ComponentName = 'edge' | 'softswitch' | 'cti' | 'login' | 'acd' | 'redis'
const COMPONENTS: readonly ComponentName[] = ['edge', 'softswitch', 'cti', 'login', 'acd', 'redis']
/** What can be started again after a kill (Redis cannot: it would come back empty). */
export type RestartableComponent = Exclude<ComponentName, 'redis'>

export interface TwoSitesOptions {
  agents: number
  /** Default: one group per 40 agents, at least 1, at most 400. */
  skillGroups?: number
  /** How long a login session may stay silent; default 15 s. */
  sessionTimeoutMs?: number
  /**
   * Where an edge sends to another site's soft switch, e.g. a cuttable proxy in front of it (a WAN path
   * a test can partition); default the soft switch's own address.
   */
  remoteSoftswitch?: (route: { edgeSite: SiteName; softswitchSite: SiteName; address: SoftswitchAddress }) => Promise<SoftswitchAddress>
  /** How long the SIPp soft switches run before they exit by themselves; default 300 s. A soak needs longer. */
  softswitchLifetimeSeconds?: number
  /** A real FreeSWITCH with the site's CTI bridge, or a SIPp UAS standing in for it; default 'sipp'. */
  softswitch?: 'freeswitch' | 'sipp'
}

export interface RunningSite {
  name: SiteName
  redisUrl: string
  loginUrl: string
  acdUrl: string
  /** The site's drill agent (workloads/drill-agent), wired to killComponent and startComponent. */
  drillAgentUrl: string
  edgeSip: { host: string; port: number }
  edgeRpcUrl: string
  softswitchSip: { host: string; port: number }
  /** The site's FreeSWITCH, when the harness runs real ones. */
  freeswitch?: FreeswitchProcess
  /** SIGKILLs every process of the site at once (the "site dies" fault); resolves once they are gone. */
  kill(): Promise<void>
  /** SIGKILLs the processes of one component; resolves once they are gone. */
  killComponent(name: ComponentName): Promise<void>
  /** Starts a killed component again on the same ports with the same config; a running one is left alone. */
  startComponent(name: RestartableComponent): Promise<void>
  /** Every INVITE the site's soft switch received so far (SIPp only: FreeSWITCH keeps no such trace). */
  softswitchInvites(): ReturnType<TestUas['invites']>
  /** How many distinct calls from this caller number the site's soft switch took (FreeSWITCH: its call records). */
  callsFrom(caller: string): Promise<number>
}

export interface HarnessSecret {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace: string }
  type: string
  stringData: Record<string, string>
}

export interface TwoSites {
  sites: Record<SiteName, RunningSite>
  /** The password every agent of the fleet signs in with. */
  agentPassword: string
  /** The SIP password of every phone of the fleet. */
  phonePassword: string
  fleet: Fleet
  /** The Sites, each with its drill agent in spec.drillAgent. */
  siteManifests(): Site[]
  trunkManifests(): Trunk[]
  /** The Secrets holding the drill agents' tokens, which the Sites' spec.drillAgent names. */
  /** The Secrets the Sites name: the drill agents' tokens, and with FreeSWITCH the Event Socket passwords. */
  secretManifests(): HarnessSecret[]
  /** Stops every process and removes every temp dir. Safe to call twice. */
  stop(): Promise<void>
}

interface SiteProcesses {
  redis: TestRedis
  /** The SIPp stand-in, or the address a FreeSWITCH will take once the services it calls run. */
  softswitch: TestUas | { address: SoftswitchAddress; eslPort: number }
  freeswitch?: FreeswitchProcess
  edge?: TestKamailio
  cti?: CtiProcess
  login?: LoginProcess
  acd?: AcdProcess
  /** How login, acd and cti were started, to start them again alike. */
  loginOptions?: LoginProcessOptions
  acdOptions?: AcdProcessOptions
  ctiOptions?: CtiProcessOptions
  pids: Partial<Record<ComponentName, number[]>>
}

const isSipp = (softswitch: SiteProcesses['softswitch']): softswitch is TestUas => 'invites' in softswitch

const HOST = '127.0.0.1'

/** Finds the processes of a component once it runs (Kamailio has forked its workers by then); kills use these ids. */
function recordPids(processes: SiteProcesses, component: ComponentName): void {
  const { redis, softswitch, freeswitch, edge, cti, login, acd } = processes
  const found: Record<ComponentName, () => number[]> = {
    redis: () => pidsWorkingIn(redis.dir),
    softswitch: () =>
      isSipp(softswitch) ? pidsWithArgument(`/sipp-${softswitch.name}-`) : freeswitch === undefined ? [] : [freeswitch.pid],
    cti: () => (cti === undefined ? [] : [cti.pid]),
    edge: () => (edge === undefined ? [] : pidsWithArgument(edge.dir)),
    login: () => (login === undefined ? [] : login.pids),
    acd: () => (acd === undefined ? [] : [acd.pid]),
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

/** Starts a stopped component again on its ports; the SIPp and Kamailio logs start afresh. */
async function startComponent(processes: SiteProcesses, component: RestartableComponent): Promise<void> {
  if ((processes.pids[component] ?? []).length > 0) return
  const { softswitch, freeswitch, edge, login, loginOptions, acdOptions, ctiOptions } = processes
  switch (component) {
    case 'softswitch':
      if (freeswitch !== undefined) {
        await freeswitch.restart()
      } else if (isSipp(softswitch)) {
        await softswitch.stop()
        processes.softswitch = await startUas({ name: softswitch.name, port: softswitch.port })
      }
      break
    case 'cti':
      if (ctiOptions === undefined) throw new Error('the CTI bridge never started')
      processes.cti = await startCtiProcess(ctiOptions)
      break
    case 'edge':
      if (edge === undefined) throw new Error('the edge never started')
      await respawnKamailio(edge)
      break
    case 'login':
      if (login === undefined || loginOptions === undefined) throw new Error('the login service never started')
      processes.login = await startLoginProcess({ ...loginOptions, port: login.port })
      break
    case 'acd':
      if (acdOptions === undefined) throw new Error('the ACD never started')
      processes.acd = await startAcdProcess(acdOptions)
      break
  }
  recordPids(processes, component)
}

async function stopSite(processes: SiteProcesses): Promise<void> {
  // A restarted Kamailio is not the child processes.edge knows: its processes are found by their dir.
  if (processes.edge) killNow(pidsWithArgument(processes.edge.dir))
  await Promise.allSettled([
    processes.login?.kill(),
    processes.acd?.kill(),
    processes.cti?.kill(),
    processes.edge?.stop(),
    isSipp(processes.softswitch) ? processes.softswitch.stop() : processes.freeswitch?.stop(),
    processes.redis.stop(),
  ])
}

/**
 * Like Promise.all, but waits for every start to settle before throwing the first failure: a site still
 * starting when the other failed would otherwise finish after the cleanup and be left running.
 */
async function allStarted<T>(starts: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(starts)
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return results.map((result) => (result as PromiseFulfilledResult<T>).value)
}

export async function startTwoSites(options: TwoSitesOptions): Promise<TwoSites> {
  const fleet = buildFleet({
    agents: options.agents,
    skillGroups: options.skillGroups ?? Math.min(400, Math.max(1, Math.ceil(options.agents / 40))),
    namespace: NAMESPACE,
  })
  // With FreeSWITCH the Trunk names the fleet's first skill group, so carrier calls queue there.
  const trunk = harnessTrunk(options.softswitch === 'freeswitch' ? fleet.skillGroups[0]?.metadata.name : undefined)
  const dir = await mkdtemp(join(tmpdir(), 'cc-two-sites-'))
  const started: Partial<Record<SiteName, SiteProcesses>> = {}
  const drillAgents: SiteDrillAgent[] = []
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
    await Promise.all(drillAgents.map((agent) => agent.close()))
    await Promise.all(Object.values(started).map(stopSite))
    await rm(dir, { recursive: true, force: true })
    releaseExitHook()
  }

  try {
    const agentPassword = randomSecret(12)
    const eslPasswords = { shanghai: randomSecret(16), nantong: randomSecret(16) }
    const phonePassword = randomSecret(12)
    const tokenSecretFile = join(dir, 'token-secret')
    const identityFile = join(dir, 'identity.json')
    await writeFile(tokenSecretFile, randomSecret(), { mode: 0o600 })
    await writeIdentityFile(identityFile, fleet, agentPassword)

    await allStarted(
      SITE_NAMES.map(async (name) => {
        const redis = await startRedis()
        try {
          const softswitch =
            options.softswitch === 'freeswitch'
              ? { address: { name: 'fs1', host: HOST, port: await freePort() }, eslPort: await freePort() }
              : await startUas({ name: `${name}-fs1-${randomSecret(4)}`, lifetimeSeconds: options.softswitchLifetimeSeconds })
          const processes: SiteProcesses = { redis, softswitch, pids: {} }
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
    const softswitchesSeenBy = async (edgeSite: SiteName): Promise<Record<string, SoftswitchAddress[]>> =>
      Object.fromEntries(
        await Promise.all(
          SITE_NAMES.map(async (name): Promise<[string, SoftswitchAddress[]]> => {
            const address = { ...running(name).softswitch.address, name: 'fs1' }
            const route = { edgeSite, softswitchSite: name, address }
            return [name, [name === edgeSite || !options.remoteSoftswitch ? address : await options.remoteSoftswitch(route)]]
          }),
        ),
      )
    await allStarted(
      SITE_NAMES.map(async (name) => {
        const processes = running(name)
        const softswitches = await softswitchesSeenBy(name)
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
        await projectFleet(processes.redis.url, fleet, phonePassword)
        processes.acdOptions = { site: name, redisUrl: processes.redis.url, port: await freePort() }
        processes.acd = await startAcdProcess(processes.acdOptions)
        recordPids(processes, 'acd')
        processes.loginOptions = {
          site: name,
          redisUrl: processes.redis.url,
          tokenSecretFile,
          identityFile,
          replicas: loginReplicasFor(options.agents),
          ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
          ...(options.softswitch === 'freeswitch' ? { acdUrl: processes.acd.url } : {}),
        }
        processes.login = await startLoginProcess(processes.loginOptions)
        recordPids(processes, 'login')
        if (!isSipp(processes.softswitch)) await startFreeswitchAndCti(name, processes)
      }),
    )

    async function startFreeswitchAndCti(name: SiteName, processes: SiteProcesses): Promise<void> {
      const { softswitch, edge, login, acd } = processes
      if (isSipp(softswitch) || edge === undefined || login === undefined || acd === undefined)
        throw new Error(`site ${name} did not start`)
      const ctiPort = await freePort()
      processes.freeswitch = await startFreeswitch({
        site: name,
        sipPort: softswitch.address.port,
        eslPort: softswitch.eslPort,
        directoryUrl: `${login.url}/v1/freeswitch/directory`,
        ctiSocket: { host: HOST, port: ctiPort },
        eslPassword: eslPasswords[name],
      })
      recordPids(processes, 'softswitch')
      processes.ctiOptions = {
        site: name,
        redisUrl: processes.redis.url,
        acdUrl: acd.url,
        port: ctiPort,
        edge: `${edge.host}:${edge.sipPort}`,
        recordingsDir: processes.freeswitch.recordingsDir,
      }
      processes.cti = await startCtiProcess(processes.ctiOptions)
      recordPids(processes, 'cti')
    }

    const drillTokens = { shanghai: randomSecret(), nantong: randomSecret() }
    const drillAgentUrls = Object.fromEntries(
      await allStarted(
        SITE_NAMES.map(async (name): Promise<[SiteName, string]> => {
          const processes = running(name)
          const control = (component: RestartableComponent) => ({
            stop: () => {
              // Kamailio may have forked more workers since they were recorded.
              if ((processes.pids[component] ?? []).length > 0) recordPids(processes, component)
              return killComponents(processes, [component])
            },
            start: () => startComponent(processes, component),
          })
          const components: Record<Exclude<DrillComponent, 'cti'>, ReturnType<typeof control>> = {
            softswitch: control('softswitch'),
            edge: control('edge'),
            acd: control('acd'),
            login: control('login'),
          }
          const agent = await startSiteDrillAgent(drillTokens[name], components)
          drillAgents.push(agent)
          return [name, agent.url]
        }),
      ),
    ) as Record<SiteName, string>

    const runningSite = (name: SiteName): RunningSite => {
      const processes = running(name)
      const { edge, login, acd } = processes
      if (edge === undefined || login === undefined || acd === undefined) throw new Error(`site ${name} did not start`)
      return {
        name,
        redisUrl: processes.redis.url,
        loginUrl: login.url,
        acdUrl: acd.url,
        drillAgentUrl: drillAgentUrls[name],
        edgeSip: { host: edge.host, port: edge.sipPort },
        edgeRpcUrl: edge.rpcUrl,
        softswitchSip: { host: HOST, port: processes.softswitch.address.port },
        ...(processes.freeswitch === undefined ? {} : { freeswitch: processes.freeswitch }),
        kill: () => killComponents(processes, COMPONENTS),
        killComponent: (component) => killComponents(processes, [component]),
        startComponent: (component) => startComponent(processes, component),
        softswitchInvites: async () => {
          const { softswitch } = processes
          if (!isSipp(softswitch)) throw new Error('FreeSWITCH keeps no INVITE trace: read the call records instead')
          return softswitch.invites()
        },
        callsFrom: async (caller) => {
          const { softswitch } = processes
          if (isSipp(softswitch)) return new Set((await softswitch.invites()).filter((i) => i.caller === caller).map((i) => i.callId)).size
          return (await callRecords(processes.redis.url)).filter((record) => record.caller === caller).length
        },
      }
    }
    const sites = { shanghai: runningSite('shanghai'), nantong: runningSite('nantong') }
    const poolsOf = (name: SiteName) => fleet.sites.find((site) => site.metadata.name === name)?.spec.operatorIdPools ?? []
    return {
      sites,
      agentPassword,
      phonePassword,
      fleet,
      siteManifests: () =>
        SITE_NAMES.map((name) => {
          const site = sites[name]
          const redis = running(name).redis
          const manifest = siteManifest(
            name,
            {
              redis: { host: redis.host, port: redis.port },
              loginUrl: site.loginUrl,
              acdUrl: site.acdUrl,
              edge: { host: site.edgeSip.host, sipPort: site.edgeSip.port, rpcUrl: site.edgeRpcUrl },
              softswitch: {
                host: site.softswitchSip.host,
                sipPort: site.softswitchSip.port,
                ...(site.freeswitch === undefined ? {} : { eslPort: site.freeswitch.esl.port }),
              },
            },
            poolsOf(name),
          )
          return withDrillAgent(manifest, site.drillAgentUrl)
        }),
      trunkManifests: () => [trunk],
      secretManifests: () => [
        ...SITE_NAMES.map((name) => drillAgentSecret(name, drillTokens[name])),
        ...(options.softswitch === 'freeswitch' ? SITE_NAMES.map((name) => eslSecret(name, eslPasswords[name])) : []),
      ],
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
