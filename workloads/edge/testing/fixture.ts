// Test fixture: the two example Sites with one test Trunk, rendered for an edge on loopback whose soft
// switches are SIPp processes.
import type { Trunk } from '../../../crds/types.ts'
import { exampleSites } from '../../../operator/render/kamailio/example.ts'
import { renderEdge, type RenderedEdge, type SoftswitchAddress } from '../../../operator/render/kamailio/index.ts'
import type { EdgePorts } from './kamailio.ts'

export const DID = '+864000000001'
export const SHANGHAI_CALLER = '02155501234'
export const NANTONG_CALLER = '051355501234'
/** A caller that matches no prefix rule (Shenzhen): split by weight. */
export const OTHER_CALLER = '075555501234'

export function testTrunk(weights: { shanghai: number; nantong: number }): Trunk {
  return {
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'Trunk',
    metadata: { name: 'carrier' },
    spec: {
      carrier: 'Test Carrier',
      numbers: [DID],
      sites: [
        { site: 'shanghai', gateway: { host: '127.0.0.1' }, weight: weights.shanghai },
        { site: 'nantong', gateway: { host: '127.0.0.1' }, weight: weights.nantong },
      ],
      routing: {
        localFirst: true,
        prefixRules: [
          { prefix: '021', site: 'shanghai' },
          { prefix: '0513', site: 'nantong' },
        ],
      },
    },
  }
}

export interface FixtureOptions {
  site?: 'shanghai' | 'nantong'
  weights?: { shanghai: number; nantong: number }
  softswitches: Record<string, SoftswitchAddress[]>
}

/** Renders the edge for the ports startKamailio chose; failover after 1 s of silence to keep tests short. */
export function renderTestEdge(options: FixtureOptions): (ports: EdgePorts) => RenderedEdge {
  return (ports) =>
    renderEdge({
      site: options.site ?? 'shanghai',
      sites: exampleSites,
      trunks: [testTrunk(options.weights ?? { shanghai: 70, nantong: 30 })],
      softswitches: options.softswitches,
      listen: { host: ports.host, sipPort: ports.sipPort },
      rpc: { host: ports.host, port: ports.rpcPort },
      dispatcherListPath: ports.dispatcherListPath,
      workers: 2,
      failoverTimeoutMilliseconds: 1000,
    })
}
