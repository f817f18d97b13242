// examples/two-site adapted to the one node of the e2e cluster. The choice: host networking off. Both
// sites' soft switches and edges then run side by side on pod addresses (198.18.0.0/24), each with its own
// SIP and RTP ports inside its own network namespace; with host networking on, two of them could not both
// bind 5060 on one node (the renderer's anti-affinity allows one per node). Without a nodeSelector every
// pod lands on the one node. Every component runs one replica with the least CPU the Site lets us ask
// for: the node has 2 cores.
import { fileURLToPath } from 'node:url'
import type { Site } from '../../crds/types.ts'
import { loadManifests, type ManifestObject } from '../../examples/load.ts'

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/two-site/', import.meta.url))
export const SITES = ['shanghai', 'nantong'] as const
export const NAMESPACE = 'callcenter'

const small = (memory: string) => ({ replicas: 1, resources: { cpu: '100m', memory } })

export function adaptSite(site: Site): Site {
  const spec = structuredClone(site.spec)
  const { softswitch, edge, acd, login, cti } = spec.components
  softswitch.managed = { ...softswitch.managed, ...small('512Mi') }
  edge.managed = { ...edge.managed, ...small('256Mi') }
  for (const service of [acd, login, cti]) service.managed = { ...service.managed, ...small('192Mi') }
  if (spec.redis.managed) spec.redis.managed = { ...spec.redis.managed, storage: '1Gi' }
  spec.placement = { hostNetwork: false }
  return { ...site, spec }
}

/** The example's objects, Sites adapted, in the order kubectl would apply the folder. */
export function oneNodeExample(): ManifestObject[] {
  return loadManifests(EXAMPLE_DIR).map((object) =>
    object.kind === 'Site' ? (adaptSite(object as unknown as Site) as unknown as ManifestObject) : object,
  )
}
