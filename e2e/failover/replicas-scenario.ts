// Two sites of real processes, a real control plane, agents at home with standby connections, and several
// operator replicas under leader election; the operator reaches nantong's edge (JSON-RPC) and login
// service through gated HTTP proxies, so a test can hold a failover at a chosen step and kill the leader.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { Site } from '../../crds/types.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { startGatedHttpProxy, type GatedHttpProxy } from '../net/gated-http-proxy.ts'
import { eventually, startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { signInFleet, type SignedInFleet } from '../sites/agents.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'

export const NAMESPACE = 'callcenter'

export interface ReplicasScenario {
  sites: TwoSites
  cp: ControlPlane
  fleet: SignedInFleet
  /** The operator's path to nantong's Kamailio JSON-RPC. */
  nantongEdge: GatedHttpProxy
  /** The operator's path to nantong's login service. */
  nantongLogin: GatedHttpProxy
  operators: OperatorProcess[]
  reportDir: string
  site(name: string): Promise<Site>
  /** The replica that holds the lease now, if one does. */
  leader(): Promise<OperatorProcess | undefined>
  /** SIGKILLs the leader; returns its name. */
  killLeader(): Promise<string>
  /** How many takeovers the operators started at nantong (POST /v1/takeover that reached it). */
  /** POST /v1/takeover requests that reached nantong's login service. */
  takeoverStarts(): number
  /** Takeovers nantong's login service really started (its Redis), however often they were asked for. */
  takeoversStarted(): Promise<number>
  stop(): Promise<void>
}

/** nantong as the operator sees it: its login service and its edge's JSON-RPC behind the proxies. */
function throughProxies(site: Site, loginUrl: string, rpcUrl: string): Site {
  const { components } = site.spec
  const servers = (components.edge.external?.servers ?? []).map((server) => ({ ...server, rpcUrl }))
  return {
    ...site,
    spec: {
      ...site.spec,
      components: {
        ...components,
        edge: { ...components.edge, external: { servers } },
        login: { mode: 'External', external: { url: loginUrl } },
      },
    },
  }
}

/** The first of `replicas` leads before the others start, so it is the one a test kills first. */
export async function startReplicasScenario(options: { agents: number; replicas: readonly string[] }): Promise<ReplicasScenario> {
  const sites = await startTwoSites({ agents: options.agents })
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-reports-'))
  const operators: OperatorProcess[] = []
  const cleanups: (() => Promise<void> | void)[] = [() => sites.stop(), () => rmSync(reportDir, { recursive: true, force: true })]
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  }
  try {
    const cp = await startControlPlane()
    cleanups.push(() => cp.stop())
    const nantongEdge = await startGatedHttpProxy(sites.sites.nantong.edgeRpcUrl)
    cleanups.push(() => nantongEdge.close())
    const nantongLogin = await startGatedHttpProxy(sites.sites.nantong.loginUrl)
    cleanups.push(() => nantongLogin.close())
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', NAMESPACE]), 'namespace')
    const manifests = sites
      .siteManifests()
      .map((site) => (site.metadata.name === 'nantong' ? throughProxies(site, nantongLogin.url, nantongEdge.url) : site))
    for (const object of [...manifests, ...sites.trunkManifests()]) {
      succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) }), `apply ${object.kind}`)
    }
    const fleet = await signInFleet(sites, { agents: options.agents })
    cleanups.push(() => fleet.stop())
    const alive = () => operators.filter((o) => o.child.exitCode === null && o.child.signalCode === null)
    cleanups.push(async () => {
      for (const operator of alive()) await operator.stop()
    })
    const args = ['--leader-elect', `--lease-namespace=${NAMESPACE}`, `--report-dir=${reportDir}`]
    for (const [index, name] of options.replicas.entries()) {
      const operator = await startOperator(cp, name, { args })
      operators.push(operator)
      if (index === 0)
        await eventually(
          `${name} leads`,
          () => operator.metric('callcenter_operator_leader'),
          (v) => v === 1,
          30_000,
        )
    }
    const leader = async () => {
      for (const operator of alive()) if ((await operator.metric('callcenter_operator_leader')) === 1) return operator
      return undefined
    }
    return {
      sites,
      cp,
      fleet,
      nantongEdge,
      nantongLogin,
      operators,
      reportDir,
      site: async (name) =>
        JSON.parse(succeeded(await cp.kubectl(['get', 'site', name, '-n', NAMESPACE, '-o', 'json']), 'get site')) as Site,
      leader,
      async killLeader() {
        const current = await leader()
        assert.ok(current, 'one replica leads')
        await current.kill()
        return current.name
      },
      takeoverStarts: () => nantongLogin.forwarded.filter((r) => r.method === 'POST' && r.path === '/v1/takeover').length,
      takeoversStarted: async () => {
        const redis = new Redis(sites.sites.nantong.redisUrl, { lazyConnect: true })
        try {
          await redis.connect()
          return (await redis.keys('*takeover:*')).filter((key) => !/:(relogins|declines|instructed)$/.test(key)).length
        } finally {
          redis.disconnect()
        }
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
