// Building blocks of the NetworkPolicies. Pods with host networking send from their node's address, which
// a podSelector does not match, so peers that run with host networking are also admitted by node CIDR.
// (Most network plugins do not enforce policies on host-network pods themselves: there, FreeSWITCH's ACLs
// and Kamailio's localhost-only JSON-RPC are the guard.)
import type { NetworkPolicyPeer, NetworkPolicyPort } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { SiteRenderContext } from './context.ts'
import { selectorLabels, type ComponentName } from './names.ts'
import { usesHostNetwork } from './pod.ts'

export const tcp = (port: number): NetworkPolicyPort => ({ protocol: 'TCP', port })
export const udp = (port: number, endPort?: number): NetworkPolicyPort =>
  endPort === undefined ? { protocol: 'UDP', port } : { protocol: 'UDP', port, endPort }

export function podsOf(site: Site, component: ComponentName): NetworkPolicyPeer {
  return { podSelector: { matchLabels: selectorLabels(site.metadata.name, component) } }
}

export function operatorNamespace(context: SiteRenderContext): NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': context.operatorNamespace } } }
}

/** The nodes, when the site's soft switches and edges run with host networking (they send from the node's address). */
export function hostNetworkNodes(site: Site, context: SiteRenderContext): NetworkPolicyPeer[] {
  return usesHostNetwork(site) ? [...context.network.nodeCidrs].sort().map((cidr) => ({ ipBlock: { cidr } })) : []
}

/** Peers for traffic from a soft switch or edge: its pods, plus the nodes when it runs with host networking. */
export function telephonyPods(site: Site, component: 'softswitch' | 'edge', context: SiteRenderContext): NetworkPolicyPeer[] {
  return [podsOf(site, component), ...hostNetworkNodes(site, context)]
}
