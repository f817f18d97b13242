// The Partition drill scenario: two sites of real processes behind a WAN the test can cut (the cuttable
// proxies of e2e/multicluster/wan.ts), one control plane and one operator that runs "at nantong": it
// reaches nantong directly and shanghai over the WAN (probes, login, edge control, Redis), as a cluster at
// one of the sites would. shanghai's drill agent is the real workloads/drill-agent/main.ts as a process,
// whose DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK are shell commands that cut and heal that WAN (through a
// switch on loopback, e2e/net/wan-switch.ts) the way a real site's commands change its firewall. The
// operator reaches the drill agent itself outside the WAN: the cut exempts the agent's management port,
// as the README's firewall example does, so the operator can heal what it cut. nantong keeps the
// harness's drill agent, which offers no network fault. The fleet's AgentSeats are applied (the harness
// projected them into both Redis already; the operator's projection writes the same).
import type { Site } from '../../crds/types.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { startWan, type Wan } from '../multicluster/wan.ts'
import { startWanSwitch, type WanSwitch } from '../net/wan-switch.ts'
import { startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { signInFleet, type SignedInFleet } from '../sites/agents.ts'
import { randomSecret } from '../sites/fleet-data.ts'
import { NAMESPACE } from '../sites/manifests.ts'
import { drillAgentSecret, startDrillAgentProcess, withDrillAgent, type DrillAgentProcess } from '../sites/site-drill-agent.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'

export interface PartitionDrillScenario {
  sites: TwoSites
  wan: Wan
  wanSwitch: WanSwitch
  /** shanghai's drill agent process. */
  drillAgent: DrillAgentProcess
  drillAgentToken: string
  cp: ControlPlane
  fleet: SignedInFleet
  /** The operator running now. */
  operator: () => OperatorProcess
  /** SIGKILLs the operator and starts a fresh one (nothing carried over but what is in the apiserver). */
  restartOperator: () => Promise<void>
  /** The Sites as applied: shanghai with its addresses through the WAN. */
  applied: Record<'shanghai' | 'nantong', Site>
  site: (name: string) => Promise<Site>
  /** `kubectl patch site <name> --type merge` with spec.drill. */
  startDrill: (name: string, drill: NonNullable<Site['spec']['drill']>) => Promise<void>
  stop: () => Promise<void>
}

export interface PartitionDrillOptions {
  agents: number
  reportDir: string
  operatorName: string
  /** Site spec.heartbeat.minimumDwellSeconds, so a healed site turns Healthy again soon. */
  minimumDwellSeconds: number
}

export async function startPartitionDrillScenario(options: PartitionDrillOptions): Promise<PartitionDrillScenario> {
  const wan = startWan()
  const stops: (() => Promise<void>)[] = [() => wan.close()]
  const stop = async () => {
    for (const each of stops.reverse()) await each().catch(() => undefined)
    stops.length = 0
  }
  try {
    const sites = await startTwoSites({ agents: options.agents, remoteSoftswitch: (route) => wan.remoteSoftswitch(route) })
    stops.push(() => sites.stop())
    await wan.connect(sites.sites)
    const wanSwitch = await startWanSwitch({ cut: () => void wan.cut(), heal: () => wan.heal() })
    stops.push(() => wanSwitch.close())
    const drillAgentToken = randomSecret()
    const drillAgent = await startDrillAgentProcess(drillAgentToken, {
      DRILL_CUT_NETWORK: wanSwitch.command('cut'),
      DRILL_HEAL_NETWORK: wanSwitch.command('heal'),
    })
    stops.push(() => drillAgent.close())

    const cp = await startControlPlane()
    stops.push(() => cp.stop())
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', NAMESPACE]), 'namespace')
    const dwell = (site: Site): Site => ({
      ...site,
      spec: { ...site.spec, heartbeat: { ...site.spec.heartbeat, minimumDwellSeconds: options.minimumDwellSeconds } },
    })
    const [shanghai, nantong] = ['shanghai', 'nantong'].map((name) => {
      const site = sites.siteManifests().find((s) => s.metadata.name === name)
      if (site === undefined) throw new Error(`no Site manifest for ${name}`)
      return dwell(site)
    }) as [Site, Site]
    const applied = { shanghai: withDrillAgent(wan.seenFromAfar(shanghai), drillAgent.url), nantong }
    const secrets = [
      ...sites.secretManifests().filter((s) => s.metadata.name !== 'shanghai-drill-agent'),
      drillAgentSecret('shanghai', drillAgentToken),
    ]
    for (const object of [...secrets, applied.shanghai, applied.nantong, ...sites.trunkManifests()]) {
      succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) }), `apply ${object.kind} ${object.metadata.name}`)
    }
    // The AgentSeats tell the operator which agents a failover of their home site must move (or see decline).
    const seats = { apiVersion: 'v1', kind: 'List', items: sites.fleet.agentSeats }
    succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(seats) }), 'apply the AgentSeats')
    const fleet = await signInFleet(sites, { agents: options.agents })
    stops.push(() => Promise.resolve(fleet.stop()))
    const args = [`--report-dir=${options.reportDir}`]
    let operator = await startOperator(cp, options.operatorName, { args })
    let restarts = 0
    stops.push(() => operator.stop())
    const kubectl = cp.kubectl.bind(cp)
    return {
      sites,
      wan,
      wanSwitch,
      drillAgent,
      drillAgentToken,
      cp,
      fleet,
      operator: () => operator,
      restartOperator: async () => {
        await operator.kill()
        restarts++
        operator = await startOperator(cp, `${options.operatorName}-${restarts}`, { args })
      },
      applied,
      site: async (name) => JSON.parse(succeeded(await kubectl(['get', 'site', name, '-n', NAMESPACE, '-o', 'json']), 'get site')) as Site,
      startDrill: async (name, drill) => {
        const patch = JSON.stringify({ spec: { drill } })
        succeeded(await kubectl(['patch', 'site', name, '-n', NAMESPACE, '--type', 'merge', '-p', patch]), `patch ${name} with a drill`)
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
