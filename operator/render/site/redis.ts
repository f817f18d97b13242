// A Managed Redis: one replica with a persistent volume, a Service, and a NetworkPolicy that admits only
// this site's workloads (their pods, and their nodes for those on host networking) and the operator,
// which keeps the CRs' projection in Redis.
import type { Container } from './manifest-types.ts'
import type { Site } from '../../../crds/types.ts'
import type { KubernetesObject, SiteRenderContext } from './context.ts'
import type { SiteEndpoints } from './endpoints.ts'
import { SITE_LABEL, componentLabels, resourceName, selectorLabels } from './names.ts'
import { hostNetworkNodes, operatorNamespace, tcp } from './network-policy.ts'
import { networkPolicy, service, statefulSet } from './objects.ts'
import { containerSecurityContext, podSecurityContext, envFromSecret, mount, resources, scratchVolume } from './pod.ts'
import { PORTS } from './ports.ts'

function redisContainer(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): Container {
  const password = endpoints.redis.passwordSecretRef
  // Kubernetes expands $(REDIS_PASSWORD) in args from the container's environment: no shell, and the
  // password stays in the Secret. redis-cli reads REDISCLI_AUTH for the probe.
  return {
    name: 'redis',
    image: site.spec.redis.managed?.image ?? context.images.redis,
    command: ['redis-server'],
    args: [
      '--port',
      String(PORTS.redis),
      '--dir',
      '/data',
      '--appendonly',
      'yes',
      ...(password ? ['--requirepass', '$(REDIS_PASSWORD)'] : []),
    ],
    ...(password ? { env: [envFromSecret('REDIS_PASSWORD', password), envFromSecret('REDISCLI_AUTH', password)] } : {}),
    ports: [{ name: 'redis', containerPort: PORTS.redis, protocol: 'TCP' }],
    resources: resources(site.spec.redis.managed?.resources, { cpu: '1', memory: '1Gi' }),
    readinessProbe: {
      exec: { command: ['/bin/sh', '-c', 'redis-cli ping | grep -q PONG'] },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    },
    livenessProbe: { tcpSocket: { port: 'redis' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
    securityContext: containerSecurityContext(),
    volumeMounts: [mount('data', '/data'), mount('tmp', '/tmp')],
  }
}

export function renderRedis(site: Site, context: SiteRenderContext, endpoints: SiteEndpoints): KubernetesObject[] {
  const name = site.metadata.name
  const siteWorkloads = { podSelector: { matchLabels: { [SITE_LABEL]: name } } }
  return [
    service(site, context, 'redis', { ports: [{ name: 'redis', port: PORTS.redis, targetPort: 'redis', protocol: 'TCP' }] }),
    statefulSet(site, context, 'redis', {
      serviceName: resourceName(name, 'redis'),
      replicas: 1,
      selector: { matchLabels: selectorLabels(name, 'redis') },
      template: {
        metadata: { labels: componentLabels(name, 'redis') },
        spec: {
          securityContext: podSecurityContext(),
          containers: [redisContainer(site, context, endpoints)],
          volumes: [scratchVolume('tmp')],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: componentLabels(name, 'redis') },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: site.spec.redis.managed?.storage ?? '10Gi' } } },
        },
      ],
    }),
    networkPolicy(site, context, 'redis', [
      { from: [siteWorkloads, ...hostNetworkNodes(site, context), operatorNamespace(context)], ports: [tcp(PORTS.redis)] },
    ]),
  ]
}
