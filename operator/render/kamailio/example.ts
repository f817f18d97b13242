// The two-site example (examples/two-site) as the operator would resolve it for each site's edge:
// the Managed soft switches get pod addresses, the edges host-network addresses.
import { fileURLToPath } from 'node:url'
import type { Site, Trunk } from '../../../crds/types.ts'
import { loadManifests } from '../../../examples/load.ts'
import type { EdgeRenderInput } from './model.ts'

const objects = loadManifests(fileURLToPath(new URL('../../../examples/two-site/', import.meta.url)))

export const exampleSites = objects.filter((o) => o.kind === 'Site') as unknown as Site[]
export const exampleTrunks = objects.filter((o) => o.kind === 'Trunk') as unknown as Trunk[]

const edgeHosts: Record<string, string> = { shanghai: '10.10.0.5', nantong: '10.20.0.5' }

export const exampleSoftswitches = {
  shanghai: [0, 1, 2, 3].map((i) => ({ name: `fs-${i}`, host: `10.10.1.${11 + i}`, port: 5060 })),
  nantong: [0, 1].map((i) => ({ name: `fs-${i}`, host: `10.20.1.${11 + i}`, port: 5060 })),
}

export function exampleEdgeInput(site: 'shanghai' | 'nantong'): EdgeRenderInput {
  const host = edgeHosts[site] ?? '127.0.0.1'
  return {
    site,
    sites: exampleSites,
    trunks: exampleTrunks,
    softswitches: exampleSoftswitches,
    listen: { host, sipPort: 5060 },
    rpc: { host, port: 5071 },
    dispatcherListPath: '/etc/kamailio/dispatcher.list',
  }
}
