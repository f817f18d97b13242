// Two site clusters, one operator each: a control plane per site, both holding every Site and Trunk
// (GitOps applies the same manifests to both; in each, the other site's addresses are the WAN's) and
// the drill agents' Secrets, the operator of cluster X started with --site X. Two sites of real
// processes (e2e/sites) behind a WAN the test can cut (wan.ts); agents signed in at home with a
// standby connection to the other site.
import type { Site, Trunk } from '../../crds/types.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { signInFleet, type SignedInFleet } from '../sites/agents.ts'
import { NAMESPACE, SITE_NAMES, type SiteName } from '../sites/manifests.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'
import { startWan, type Wan } from './wan.ts'

/** The cluster each site runs in (Site spec.cluster). */
export const CLUSTER_OF: Record<SiteName, string> = { shanghai: 'cluster-shanghai', nantong: 'cluster-nantong' }

export interface SiteCluster {
  site: SiteName
  cp: ControlPlane
  operator: OperatorProcess
  /** A Site as this cluster has it now. */
  getSite(name: SiteName): Promise<Site>
  getTrunk(name: string): Promise<Trunk>
}

export interface TwoClusters {
  sites: TwoSites
  wan: Wan
  clusters: Record<SiteName, SiteCluster>
  fleet: SignedInFleet
  stop(): Promise<void>
}

export interface TwoClustersOptions {
  agents: number
  reportDir: string
  /** Passed to the sites' login services. */
  sessionTimeoutMs?: number
  /** Site spec.heartbeat.minimumDwellSeconds (how long a failed site stays Failed, then Recovering); default the schema's. */
  minimumDwellSeconds?: number
}

type KubeManifest = { kind: string; metadata: { name: string } }

const get = async <T>(cp: ControlPlane, kind: string, name: string): Promise<T> =>
  JSON.parse(succeeded(await cp.kubectl(['get', kind, name, '-n', NAMESPACE, '-o', 'json']), `get ${kind} ${name}`)) as T

/** The manifests the cluster of `home` holds: every Site (the other one's addresses through the WAN) and every Trunk. */
function manifestsFor(home: SiteName, sites: TwoSites, wan: Wan, minimumDwellSeconds: number | undefined): KubeManifest[] {
  const placed = sites.siteManifests().map((site): Site => ({
    ...site,
    spec: {
      ...site.spec,
      cluster: CLUSTER_OF[site.metadata.name as SiteName],
      heartbeat: { ...site.spec.heartbeat, ...(minimumDwellSeconds === undefined ? {} : { minimumDwellSeconds }) },
    },
  }))
  return [
    ...sites.secretManifests(),
    ...placed.map((site) => (site.metadata.name === home ? site : wan.seenFromAfar(site))),
    ...sites.trunkManifests(),
  ]
}

async function startCluster(home: SiteName, manifests: readonly KubeManifest[], reportDir: string): Promise<SiteCluster> {
  const cp = await startControlPlane()
  try {
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', NAMESPACE]), 'namespace')
    for (const object of manifests) {
      succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) }), `apply ${object.kind} ${object.metadata.name}`)
    }
    const operator = await startOperator(cp, `operator-${home}`, { args: [`--site=${home}`, `--report-dir=${reportDir}`] })
    return {
      site: home,
      cp,
      operator,
      getSite: (name) => get<Site>(cp, 'site', name),
      getTrunk: (name) => get<Trunk>(cp, 'trunk', name),
    }
  } catch (error) {
    await cp.stop()
    throw error
  }
}

export async function startTwoClusters(options: TwoClustersOptions): Promise<TwoClusters> {
  const wan = startWan()
  const stops: (() => Promise<void>)[] = [() => wan.close()]
  const stop = async () => {
    for (const each of stops.reverse()) await each().catch(() => undefined)
    stops.length = 0
  }
  try {
    const sites = await startTwoSites({
      agents: options.agents,
      remoteSoftswitch: (route) => wan.remoteSoftswitch(route),
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    })
    stops.push(() => sites.stop())
    await wan.connect(sites.sites)
    const fleet = await signInFleet(sites, { agents: options.agents })
    stops.push(() => Promise.resolve(fleet.stop()))
    const started: Partial<Record<SiteName, SiteCluster>> = {}
    for (const home of SITE_NAMES) {
      const cluster = await startCluster(home, manifestsFor(home, sites, wan, options.minimumDwellSeconds), options.reportDir)
      started[home] = cluster
      stops.push(async () => {
        await cluster.operator.stop()
        await cluster.cp.stop()
      })
    }
    const { shanghai, nantong } = started
    if (shanghai === undefined || nantong === undefined) throw new Error('a site cluster did not start')
    return { sites, wan, clusters: { shanghai, nantong }, fleet, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
