// examples/two-site adapted to the one node of the e2e cluster. The choice: host networking off. Both
// sites' soft switches and edges then run side by side on pod addresses (198.18.0.0/24), each with its own
// SIP and RTP ports inside its own network namespace; with host networking on, two of them could not both
// bind 5060 on one node (the renderer's anti-affinity allows one per node). Without a nodeSelector every
// pod lands on the one node. Every component runs one replica and asks (resources.requests) for a little
// CPU and memory, so that both sites fit the node's 2 cores; the limits stay the example's or the
// defaults, so a pod still bursts to them while it starts.
import { fileURLToPath } from 'node:url'
import type { Site } from '../../crds/types.ts'
import type { ResourceSpec } from '../../operator/render/site/pod.ts'
import { loadManifests, type ManifestObject } from '../../examples/load.ts'
import { passwordSha256 } from '../../workloads/lib/auth/identity.ts'

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/two-site/', import.meta.url))
export const SITES = ['shanghai', 'nantong'] as const
export const NAMESPACE = 'callcenter'

const SMALL_REQUESTS = { cpu: '50m', memory: '64Mi' }

/** One replica, asking little but keeping the limits the Site gives (or the defaults). */
function small<T extends { resources?: ResourceSpec }>(managed: T | undefined): T & { replicas: number; resources: ResourceSpec } {
  return { ...(managed as T), replicas: 1, resources: { ...managed?.resources, requests: SMALL_REQUESTS } }
}

export function adaptSite(site: Site): Site {
  const spec = structuredClone(site.spec)
  const { softswitch, edge, acd, login, cti } = spec.components
  softswitch.managed = small(softswitch.managed)
  edge.managed = small(edge.managed)
  acd.managed = small(acd.managed)
  cti.managed = small(cti.managed)
  if (login.mode === 'Managed') login.managed = small(login.managed)
  if (spec.redis.managed) spec.redis.managed = { ...spec.redis.managed, storage: '1Gi', resources: { requests: SMALL_REQUESTS } }
  spec.placement = { hostNetwork: false }
  return { ...site, spec }
}

/** The example's objects, Sites adapted, in the order kubectl would apply the folder. */
export function oneNodeExample(): ManifestObject[] {
  return loadManifests(EXAMPLE_DIR).map((object) =>
    object.kind === 'Site' ? (adaptSite(object as unknown as Site) as unknown as ManifestObject) : object,
  )
}

/** The password every example agent signs in with on the one-node cluster. */
export const AGENT_PASSWORD = 'one-node-e2e'

/**
 * Each site's login identity Secret (the default name, `<site>-login-identity`), which the operator never
 * creates: every AgentSeat of the example may sign in at either site with AGENT_PASSWORD.
 */
export function loginIdentitySecrets(): ManifestObject[] {
  const accounts = loadManifests(EXAMPLE_DIR)
    .filter((object) => object.kind === 'AgentSeat')
    .map((seat) => ({
      account: (seat as unknown as { spec: { account: string } }).spec.account,
      passwordSha256: passwordSha256(AGENT_PASSWORD),
    }))
  return SITES.map(
    (site) =>
      ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `${site}-login-identity`, namespace: NAMESPACE },
        stringData: { 'identity.json': JSON.stringify({ accounts }) },
      }) as unknown as ManifestObject,
  )
}

export interface ExampleAgent {
  readonly agentId: string
  readonly account: string
  readonly homeSite: string
  /** The PC beside the agent's phone (PhoneMACs paired with AgentSeats in order, as the e2e fleets do). */
  readonly pcHostName: string
}

export function exampleAgents(): ExampleAgent[] {
  const objects = loadManifests(EXAMPLE_DIR)
  const phones = objects.filter((o) => o.kind === 'PhoneMAC') as unknown as { spec: { pcHostName: string } }[]
  const seats = objects.filter((o) => o.kind === 'AgentSeat') as unknown as {
    spec: { agentId: string; account: string; homeSite: string }
  }[]
  return seats.flatMap(({ spec }, index) => {
    const phone = phones[index]
    return phone ? [{ agentId: spec.agentId, account: spec.account, homeSite: spec.homeSite, pcHostName: phone.spec.pcHostName }] : []
  })
}
