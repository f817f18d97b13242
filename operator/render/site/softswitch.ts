// A Managed soft switch: FreeSWITCH as a StatefulSet (stable names the CTI bridge and the edges see), its
// rendered configuration, a headless Service, a PodDisruptionBudget and a NetworkPolicy.
//
// Security: FreeSWITCH runs as a non-root user with every capability dropped. It binds only ports above
// 1024 (SIP 5060, ESL 8021, RTP 16384-32767) and is not started with real-time priority (-rp), so it
// needs neither NET_BIND_SERVICE nor SYS_NICE; add NET_BIND_SERVICE only to bind SIP below 1024.
//
// Graceful drain: the preStop hook stops new inbound calls (`fsctl pause inbound`; outbound stays open so
// calls already here can still be bridged to agents) and waits until no channel is left, bounded by the
// 15-minute grace period. Channels, not bridged calls, are counted: a caller waiting in a queue has a
// channel but no call yet. If FreeSWITCH no longer answers, there is nothing left to wait for.
import type { Container, PodTemplateSpec } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import { FREESWITCH_ENV, SIP_PROFILE, renderFreeswitchConfig } from '../freeswitch/index.ts'
import { configHash } from './config-hash.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { CONFIG_HASH_ANNOTATION, componentLabels, resourceName, selectorLabels } from './names.ts'
import { networkPolicy, podDisruptionBudget, configMap, service, statefulSet } from './objects.ts'
import { operatorNamespace, podsOf, tcp, udp } from './network-policy.ts'
import {
  containerSecurityContext,
  podSecurityContext,
  envFromField,
  envFromSecret,
  mount,
  resources,
  scratchVolume,
  sortedEnv,
  telephonyPlacement,
  usesHostNetwork,
} from './pod.ts'
import { PORTS, RTP_PORTS } from './ports.ts'

const CONF_DIR = '/etc/freeswitch'
const FREESWITCH_HOME = '/opt/freeswitch'
const RECORDINGS_DIR = '/var/lib/freeswitch/recordings'
const DRAIN_GRACE_SECONDS = 900

// ConfigMap keys cannot hold '/': each file gets a flat key and is mounted back at its path.
const configKey = (path: string) => path.replaceAll('/', '__')

const fsCli = (command: string) =>
  `fs_cli -H "$${FREESWITCH_ENV.podIp}" -P ${PORTS.esl} -p "$${FREESWITCH_ENV.eslPassword}" -x '${command}'`

const DRAIN_SCRIPT = [
  `${fsCli('fsctl pause inbound')} || exit 0`,
  'while true; do',
  `  channels=$(${fsCli('show channels count')} | awk '/total/ {print $1}')`,
  '  if [ -z "$channels" ] || [ "$channels" -eq 0 ]; then exit 0; fi',
  '  sleep 5',
  'done',
].join('\n')

export function freeswitchConfig(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): Record<string, string> {
  const { podCidrs, nodeCidrs } = context.network
  return renderFreeswitchConfig({
    site: site.metadata.name,
    // The edges share the soft switches' placement: with host networking they call from their nodes.
    sip: { port: PORTS.sip, trustedCidrs: usesHostNetwork(site) ? nodeCidrs : podCidrs },
    rtp: RTP_PORTS,
    esl: { port: PORTS.esl, allowedCidrs: podCidrs },
    directoryUrl: `${endpoints.loginUrl}/v1/freeswitch/directory`,
    ctiSocket: endpoints.ctiSocket,
    logFile: '/dev/stdout',
  })
}

const profileRunning = `${fsCli('sofia status')} | grep -Eq '^[[:space:]]*${SIP_PROFILE}[[:space:]]+profile.*RUNNING'`

function freeswitchContainer(site: Site, context: SiteRenderContext): Container {
  const managed = site.spec.components.softswitch.managed
  const shell = (script: string) => ({ exec: { command: ['/bin/sh', '-c', script] } })
  return {
    name: 'freeswitch',
    image: managed?.image ?? context.images.freeswitch,
    command: ['freeswitch'],
    // The image installs FreeSWITCH's prefix at /opt/freeswitch (images/freeswitch), modules under
    // lib/freeswitch/mod; everything it writes goes to the pod's volumes, the root filesystem read-only.
    args: [
      '-nf',
      '-nc',
      '-nonat',
      '-base',
      FREESWITCH_HOME,
      '-mod',
      `${FREESWITCH_HOME}/lib/freeswitch/mod`,
      '-conf',
      CONF_DIR,
      '-log',
      '/var/log/freeswitch',
      '-db',
      '/var/lib/freeswitch',
      '-run',
      '/run/freeswitch',
      '-recordings',
      RECORDINGS_DIR,
    ],
    env: sortedEnv([
      envFromField(FREESWITCH_ENV.podIp, 'status.podIP'),
      envFromSecret(FREESWITCH_ENV.eslPassword, context.eslPasswordSecretRef),
    ]),
    ports: [
      { name: 'sip-udp', containerPort: PORTS.sip, protocol: 'UDP' },
      { name: 'sip-tcp', containerPort: PORTS.sip, protocol: 'TCP' },
      { name: 'esl', containerPort: PORTS.esl, protocol: 'TCP' },
    ],
    resources: resources(managed?.resources, { cpu: '2', memory: '2Gi' }),
    readinessProbe: {
      ...shell(profileRunning),
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 2,
    },
    // A soft switch whose SIP profile is not running takes no call: restarting it is the cure.
    livenessProbe: {
      ...shell(profileRunning),
      initialDelaySeconds: 20,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    },
    lifecycle: { preStop: shell(DRAIN_SCRIPT) },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      mount('config', CONF_DIR, true),
      mount('state', '/var/lib/freeswitch'),
      mount('recordings', RECORDINGS_DIR),
      mount('log', '/var/log/freeswitch'),
      mount('run', '/run/freeswitch'),
      mount('tmp', '/tmp'),
    ],
  }
}

function podTemplate(site: Site, context: SiteRenderContext, config: Record<string, string>): PodTemplateSpec {
  const name = site.metadata.name
  return {
    metadata: { labels: componentLabels(name, 'softswitch'), annotations: { [CONFIG_HASH_ANNOTATION]: configHash(config) } },
    spec: {
      ...telephonyPlacement(site),
      terminationGracePeriodSeconds: DRAIN_GRACE_SECONDS,
      securityContext: podSecurityContext(),
      containers: [freeswitchContainer(site, context)],
      volumes: [
        {
          name: 'config',
          configMap: {
            name: resourceName(name, 'softswitch'),
            items: Object.keys(config).map((path) => ({ key: configKey(path), path })),
          },
        },
        scratchVolume('log'),
        scratchVolume('recordings'),
        scratchVolume('run'),
        scratchVolume('state'),
        scratchVolume('tmp'),
      ],
    },
  }
}

export function renderSoftswitch(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): KubernetesObject[] {
  const name = site.metadata.name
  const config = freeswitchConfig(site, context, endpoints)
  const sipPorts = [
    { name: 'sip-udp', port: PORTS.sip, protocol: 'UDP' },
    { name: 'sip-tcp', port: PORTS.sip, protocol: 'TCP' },
  ]
  return [
    configMap(site, context, 'softswitch', Object.fromEntries(Object.entries(config).map(([path, content]) => [configKey(path), content]))),
    // Headless, and listing pods that are not ready: the CTI bridge keeps its Event Socket to a soft
    // switch that is draining, since calls are still up there.
    service(site, context, 'softswitch', {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [...sipPorts, { name: 'esl', port: PORTS.esl, protocol: 'TCP' }],
    }),
    statefulSet(site, context, 'softswitch', {
      serviceName: resourceName(name, 'softswitch'),
      replicas: site.spec.components.softswitch.managed?.replicas ?? 2,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(name, 'softswitch') },
      template: podTemplate(site, context, config),
    }),
    podDisruptionBudget(site, context, 'softswitch'),
    // SIP and RTP come from carriers and phones through the edges (media flows directly), so they are
    // open; the Event Socket admits only the CTI bridge and the operator, which probes it.
    networkPolicy(site, context, 'softswitch', [
      { from: [podsOf(site, 'cti'), operatorNamespace(context)], ports: [tcp(PORTS.esl)] },
      { ports: [udp(PORTS.sip), tcp(PORTS.sip), udp(RTP_PORTS.startPort, RTP_PORTS.endPort + 1)] },
    ]),
  ]
}
