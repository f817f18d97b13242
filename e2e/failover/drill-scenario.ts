// The drill scenario: two sites of real processes, each with a drill agent, a real control plane with
// the drill agents' Secrets, the Sites (spec.drillAgent) and the Trunk applied, agents signed in at home
// with a standby connection, and the operator writing its reports to reportDir.
import type { Site } from '../../crds/types.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { signInFleet, type SignedInFleet } from '../sites/agents.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'

export interface DrillScenario {
  sites: TwoSites
  cp: ControlPlane
  fleet: SignedInFleet
  /** The operator running now. */
  operator: () => OperatorProcess
  /** SIGKILLs the operator and starts a fresh one (nothing carried over but what is in the apiserver). */
  restartOperator: () => Promise<void>
  /** The Site as the apiserver has it now. */
  site: (name: string) => Promise<Site>
  /** `kubectl patch site <name> --type merge` with spec.drill. */
  startDrill: (name: string, drill: NonNullable<Site['spec']['drill']>) => Promise<void>
  stop: () => Promise<void>
}

export async function startDrillScenario(options: { agents: number; reportDir: string; operatorName: string }): Promise<DrillScenario> {
  const sites = await startTwoSites({ agents: options.agents })
  let cp: ControlPlane | undefined
  let fleet: SignedInFleet | undefined
  try {
    cp = await startControlPlane()
    const kubectl = cp.kubectl.bind(cp)
    await installCrds(cp)
    succeeded(await kubectl(['create', 'namespace', 'callcenter']), 'namespace')
    for (const object of [...sites.secretManifests(), ...sites.siteManifests(), ...sites.trunkManifests()]) {
      succeeded(await kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) }), `apply ${object.kind}`)
    }
    fleet = await signInFleet(sites, { agents: options.agents })
    const args = [`--report-dir=${options.reportDir}`]
    let operator = await startOperator(cp, options.operatorName, { args })
    let restarts = 0
    const [controlPlane, signedIn] = [cp, fleet]
    return {
      sites,
      cp,
      fleet,
      operator: () => operator,
      restartOperator: async () => {
        await operator.kill()
        restarts++
        operator = await startOperator(controlPlane, `${options.operatorName}-${restarts}`, { args })
      },
      site: async (name) =>
        JSON.parse(succeeded(await kubectl(['get', 'site', name, '-n', 'callcenter', '-o', 'json']), 'get site')) as Site,
      startDrill: async (name, drill) => {
        const patch = JSON.stringify({ spec: { drill } })
        succeeded(await kubectl(['patch', 'site', name, '-n', 'callcenter', '--type', 'merge', '-p', patch]), `patch ${name} with a drill`)
      },
      stop: async () => {
        await operator.stop()
        signedIn.stop()
        await controlPlane.stop()
        await sites.stop()
      },
    }
  } catch (error) {
    fleet?.stop()
    await cp?.stop()
    await sites.stop()
    throw error
  }
}
