// The one-node cluster's address plan and fixed ports. Every range lies in 198.18.0.0/15 (RFC 2544, for
// benchmarking): test traffic stays on addresses this machine owns, never 10/8, 172.16/12 or 192.168/16.
import { networkInterfaces } from 'node:os'

/** Pods of the node: the CNI bridge's subnet. */
export const POD_CIDR = '198.18.0.0/24'
/** The bridge's own address, the pods' gateway; cluster DNS listens here. */
export const BRIDGE_IP = '198.18.0.1'
export const BRIDGE_NAME = 'cc-cni0'
export const SERVICE_CIDR = '198.19.0.0/24'
/** The `kubernetes` Service's ClusterIP (the first address of the Service range). */
export const KUBERNETES_SERVICE_IP = '198.19.0.1'
export const CLUSTER_DOMAIN = 'cluster.local'
export const NODE_NAME = 'callcenter-node'

// Fixed ports: pods reach the apiserver at the node's address, and one cluster runs per machine (it owns
// the bridge, iptables chains and cgroups), so these do not need to be allocated.
export const PORTS = {
  apiserver: 6443,
  kubelet: 10250,
  kubeletHealthz: 10248,
  controllerManager: 10257,
  scheduler: 10259,
  kubeProxyHealthz: 10256,
  kubeProxyMetrics: 10249,
  dnsHealth: 10254,
  dnsReady: 10255,
} as const

/**
 * The machine's own non-loopback IPv4 address: the node's InternalIP and the apiserver's advertised
 * address (pods reach the `kubernetes` Service through it). CALLCENTER_NODE_IP overrides the choice.
 */
export function nodeIp(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CALLCENTER_NODE_IP) return env.CALLCENTER_NODE_IP
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (name === BRIDGE_NAME) continue
    const address = addresses?.find((a) => a.family === 'IPv4' && !a.internal && !a.address.startsWith('198.18.'))
    if (address) return address.address
  }
  throw new Error('no non-loopback IPv4 address on this machine: set CALLCENTER_NODE_IP')
}
