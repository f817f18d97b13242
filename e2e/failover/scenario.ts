// The site-down scenario both the e2e suite and the failover benchmark run: two sites of real
// processes, a real control plane with the Sites and Trunks applied, agents signed in at home with a
// standby connection, and the operator writing its failover reports to reportDir.
import type { Site } from '../../crds/types.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { signInFleet, type SignedInFleet, type SignInFleetOptions } from '../sites/agents.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'

export interface SiteDownScenario {
  sites: TwoSites
  cp: ControlPlane
  fleet: SignedInFleet
  operator: OperatorProcess
  /** The Site as the apiserver has it now. */
  site: (name: string) => Promise<Site>
  stop: () => Promise<void>
}

export interface SiteDownScenarioOptions {
  agents: number
  reportDir: string
  operatorName: string
  /** How the simulated agents sign in (worker processes, concurrency, heartbeats); `agents` is set from above. */
  fleet?: Omit<SignInFleetOptions, 'agents'>
  /** How long a login session may stay silent (keep it a few heartbeat intervals); default the harness's 15 s. */
  sessionTimeoutMs?: number
  /** Real FreeSWITCH soft switches, or SIPp standing in (the default). */
  softswitch?: 'freeswitch' | 'sipp'
}

export async function startSiteDownScenario(options: SiteDownScenarioOptions): Promise<SiteDownScenario> {
  const sites = await startTwoSites({
    agents: options.agents,
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    ...(options.softswitch === undefined ? {} : { softswitch: options.softswitch }),
  })
  const cp = await startControlPlane()
  let fleet: SignedInFleet | undefined
  try {
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', 'callcenter']), 'namespace')
    for (const object of [...sites.secretManifests(), ...sites.siteManifests(), ...sites.trunkManifests()]) {
      succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) }), `apply ${object.kind}`)
    }
    fleet = await signInFleet(sites, { ...options.fleet, agents: options.agents })
    const operator = await startOperator(cp, options.operatorName, { args: [`--report-dir=${options.reportDir}`] })
    const signedIn = fleet
    return {
      sites,
      cp,
      fleet: signedIn,
      operator,
      site: async (name) =>
        JSON.parse(succeeded(await cp.kubectl(['get', 'site', name, '-n', 'callcenter', '-o', 'json']), 'get site')) as Site,
      stop: async () => {
        await operator.stop()
        signedIn.stop()
        await cp.stop()
        await sites.stop()
      },
    }
  } catch (error) {
    fleet?.stop()
    await cp.stop()
    await sites.stop()
    throw error
  }
}
