// A Managed SIP edge: Kamailio with the edge agent beside it in one pod, the rendered kamailio.cfg and
// dispatcher.list, a Service for the agent's API (and SIP, for the site's own soft switches), a
// PodDisruptionBudget and a NetworkPolicy.
//
// Kamailio's JSON-RPC listens on 127.0.0.1 only (the controller renders kamailio.cfg that way), so only
// the agent in the same pod reaches it and no policy opens it. The agent's API is open only to the
// operator's namespace; SIP is open to carriers and phones.
//
// dispatcher.list: the ConfigMap holds the rendered list; an init container copies it to a writable
// volume where Kamailio reads it and the agent rewrites it for live routing changes (dispatcher.reload,
// no restart). So only kamailio.cfg is in the config hash: a new dispatcher.list reaches the running
// edge through the agent, which follows the mounted ConfigMap file (DISPATCHER_LIST_SOURCE,
// workloads/edge/list-source.ts) and reloads it without undoing a flip, and does not roll the pods.
//
// The agent's env is built with its own contract (workloads/edge/contract.ts). Its /readyz asks Kamailio
// over JSON-RPC, so a pod whose Kamailio does not answer is not Ready; the operator probes each pod of a
// Managed edge there too. It serves /metrics on its port (workloads/edge/metrics.ts).
//
// Graceful drain: a terminating pod's endpoint turns not-ready, so no new calls come; on SIGTERM the
// agent waits for the calls in progress to end and then writes DRAINED_FILE (workloads/edge/drain.ts);
// Kamailio's preStop hook waits for that file (bounded by the grace period), so in-dialog requests still
// find the edge that record-routed them.
import type { Container, PodTemplateSpec } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import { edgeAgentContract } from '../../../workloads/edge/contract.ts'
import { RPC_PATH } from '../kamailio/index.ts'
import { configHash } from './config-hash.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import { prometheusScrapeAnnotations } from './http-workload.ts'
import { CONFIG_HASH_ANNOTATION, componentLabels, resourceName, selectorLabels } from './names.ts'
import { operatorNamespace, tcp, udp } from './network-policy.ts'
import { configMap, deployment, networkPolicy, podDisruptionBudget, service } from './objects.ts'
import {
  containerSecurityContext,
  podSecurityContext,
  contractEnv,
  fromField,
  httpProbes,
  mount,
  resources,
  scratchVolume,
  telephonyPlacement,
} from './pod.ts'
import { PORTS } from './ports.ts'

/** Where things are inside the edge pod; the controller renders kamailio.cfg with EDGE_PATHS.dispatcherList. */
export const EDGE_PATHS = {
  config: '/etc/kamailio',
  dispatcherList: '/var/lib/kamailio/dispatcher.list',
  drainedFile: '/run/edge/drained',
} as const

const DRAIN_GRACE_SECONDS = 900

function kamailioContainer(site: Site, context: SiteRenderContext): Container {
  const managed = site.spec.components.edge.managed
  return {
    name: 'kamailio',
    image: managed?.image ?? context.images.kamailio,
    command: ['kamailio'],
    // 256 MiB of shared memory: at a few hundred calls per second the default 64 MiB runs out.
    args: ['-DD', '-E', '-m', '256', '-f', `${EDGE_PATHS.config}/kamailio.cfg`],
    ports: [
      { name: 'sip-udp', containerPort: PORTS.sip, protocol: 'UDP' },
      { name: 'sip-tcp', containerPort: PORTS.sip, protocol: 'TCP' },
    ],
    resources: resources(managed?.resources, { cpu: '1', memory: '512Mi' }),
    readinessProbe: { tcpSocket: { port: 'sip-tcp' }, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { tcpSocket: { port: 'sip-tcp' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
    lifecycle: {
      preStop: { exec: { command: ['/bin/sh', '-c', `until [ -e ${EDGE_PATHS.drainedFile} ]; do sleep 2; done`] } },
    },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      mount('config', EDGE_PATHS.config, true),
      mount('dispatcher', '/var/lib/kamailio'),
      mount('drain', '/run/edge', true),
      mount('tmp', '/tmp'),
    ],
  }
}

function edgeAgentContainer(site: Site, context: SiteRenderContext): Container {
  return {
    name: 'edge-agent',
    image: context.images.edgeAgent,
    command: ['node', 'workloads/edge/main.ts'],
    env: contractEnv(edgeAgentContract, {
      site: site.metadata.name,
      // The operator flips every edge pod at its own address (the pod's, the node's with host networking).
      host: fromField('status.podIP'),
      port: PORTS.edgeAgent,
      rpcUrl: `http://127.0.0.1:${context.edge.rpcPort}${RPC_PATH}`,
      dispatcherListSource: `${EDGE_PATHS.config}/dispatcher.list`,
      dispatcherListPath: EDGE_PATHS.dispatcherList,
      drainedFile: EDGE_PATHS.drainedFile,
    }),
    ports: [{ name: 'http', containerPort: PORTS.edgeAgent, protocol: 'TCP' }],
    resources: resources(undefined, { cpu: '200m', memory: '256Mi' }),
    ...httpProbes('http'),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      mount('config', EDGE_PATHS.config, true),
      mount('dispatcher', '/var/lib/kamailio'),
      mount('drain', '/run/edge'),
      mount('tmp', '/tmp'),
    ],
  }
}

function seedDispatcherList(site: Site, context: SiteRenderContext): Container {
  return {
    name: 'seed-dispatcher-list',
    image: site.spec.components.edge.managed?.image ?? context.images.kamailio,
    command: ['cp', `${EDGE_PATHS.config}/dispatcher.list`, EDGE_PATHS.dispatcherList],
    resources: resources(undefined, { cpu: '100m', memory: '64Mi' }),
    securityContext: containerSecurityContext(),
    volumeMounts: [mount('config', EDGE_PATHS.config, true), mount('dispatcher', '/var/lib/kamailio')],
  }
}

function podTemplate(site: Site, context: SiteRenderContext): PodTemplateSpec {
  const name = site.metadata.name
  return {
    metadata: {
      labels: componentLabels(name, 'edge'),
      annotations: {
        [CONFIG_HASH_ANNOTATION]: configHash({ 'kamailio.cfg': context.edge.kamailioCfg }),
        // The edge agent serves /metrics on its own port (metrics.ts).
        ...prometheusScrapeAnnotations(PORTS.edgeAgent),
      },
    },
    spec: {
      ...telephonyPlacement(site),
      terminationGracePeriodSeconds: DRAIN_GRACE_SECONDS,
      securityContext: podSecurityContext(),
      initContainers: [seedDispatcherList(site, context)],
      containers: [kamailioContainer(site, context), edgeAgentContainer(site, context)],
      volumes: [
        { name: 'config', configMap: { name: resourceName(name, 'edge') } },
        scratchVolume('dispatcher'),
        scratchVolume('drain'),
        scratchVolume('tmp'),
      ],
    },
  }
}

export function renderEdge(site: Site, context: SiteRenderContext): KubernetesObject[] {
  const name = site.metadata.name
  return [
    configMap(site, context, 'edge', { 'dispatcher.list': context.edge.dispatcherList, 'kamailio.cfg': context.edge.kamailioCfg }),
    // The agent's API for the operator, and SIP for the site's soft switches (a call the CTI bridge
    // transfers to another site's queue goes through the edge: CTI_EDGE).
    service(site, context, 'edge', {
      ports: [
        { name: 'http', port: PORTS.edgeAgent, targetPort: 'http', protocol: 'TCP' },
        { name: 'sip-udp', port: PORTS.sip, targetPort: 'sip-udp', protocol: 'UDP' },
        { name: 'sip-tcp', port: PORTS.sip, targetPort: 'sip-tcp', protocol: 'TCP' },
      ],
    }),
    deployment(site, context, 'edge', {
      replicas: site.spec.components.edge.managed?.replicas ?? 2,
      // With host networking a new pod cannot start on a node the old one still holds: replace in place.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      selector: { matchLabels: selectorLabels(name, 'edge') },
      template: podTemplate(site, context),
    }),
    podDisruptionBudget(site, context, 'edge'),
    networkPolicy(site, context, 'edge', [
      { from: [operatorNamespace(context)], ports: [tcp(PORTS.edgeAgent)] },
      { ports: [udp(PORTS.sip), tcp(PORTS.sip)] },
    ]),
  ]
}
