// The pod network of the one node: Debian's CNI bridge plugin with host-local addresses from POD_CIDR.
// The harness makes the bridge itself, with the gateway address, before anything starts: cluster DNS
// listens on that address, and the plugin adopts an existing bridge. host-local keeps its leases under
// the cluster's directory. No masquerading: pods talk to each other, to Services and to this node only.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BRIDGE_IP, BRIDGE_NAME, POD_CIDR } from './addresses.ts'
import { run } from './exec.ts'

export const CNI_NETWORK = 'callcenter'

export async function writeCniConfig(confDir: string, dir: string): Promise<void> {
  await mkdir(confDir, { recursive: true })
  const conflist = {
    cniVersion: '1.0.0',
    name: CNI_NETWORK,
    plugins: [
      {
        type: 'bridge',
        bridge: BRIDGE_NAME,
        isGateway: true,
        ipMasq: false,
        // A pod reaching itself through a Service's ClusterIP comes back over its own port.
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: POD_CIDR, gateway: BRIDGE_IP }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: join(dir, 'cni', 'ipam'),
        },
      },
    ],
  }
  await writeFile(join(confDir, '10-callcenter.conflist'), JSON.stringify(conflist, null, 2) + '\n')
}

export async function createBridge(): Promise<void> {
  const prefix = POD_CIDR.split('/')[1]
  await run('ip', ['link', 'add', BRIDGE_NAME, 'type', 'bridge'])
  await run('ip', ['addr', 'add', `${BRIDGE_IP}/${prefix}`, 'dev', BRIDGE_NAME])
  await run('ip', ['link', 'set', BRIDGE_NAME, 'up'])
}
