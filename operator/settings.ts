// The operator's provisioning settings from its environment (set by the Helm chart).
import type { ProvisioningSettings } from './controllers/site-objects.ts'

const cidrs = (value: string | undefined, fallback: string) =>
  (value ?? fallback)
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProvisioningSettings {
  // The images `npm run images` builds (images/); the chart sets every one of these variables.
  const workloads = env['CALLCENTER_IMAGE_WORKLOADS'] ?? 'localhost/callcenter/workloads:0.1.0'
  return {
    images: {
      freeswitch: env['CALLCENTER_IMAGE_FREESWITCH'] ?? 'localhost/callcenter/freeswitch:1.10.12',
      kamailio: env['CALLCENTER_IMAGE_KAMAILIO'] ?? 'localhost/callcenter/kamailio:5.6-bookworm',
      redis: env['CALLCENTER_IMAGE_REDIS'] ?? 'localhost/callcenter/redis:7.0-bookworm',
      edgeAgent: env['CALLCENTER_IMAGE_EDGE_AGENT'] ?? workloads,
      acd: env['CALLCENTER_IMAGE_ACD'] ?? workloads,
      login: env['CALLCENTER_IMAGE_LOGIN'] ?? workloads,
      cti: env['CALLCENTER_IMAGE_CTI'] ?? workloads,
    },
    clusterDomain: env['CALLCENTER_CLUSTER_DOMAIN'] ?? 'cluster.local',
    operatorNamespace: env['POD_NAMESPACE'] ?? 'callcenter-system',
    // The address ranges NetworkPolicies and FreeSWITCH ACLs admit for pods and (host-network) nodes.
    network: { podCidrs: cidrs(env['CALLCENTER_POD_CIDRS'], '10.0.0.0/8'), nodeCidrs: cidrs(env['CALLCENTER_NODE_CIDRS'], '10.0.0.0/8') },
  }
}
