import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Container, EnvVar, PodSpec, PodTemplateSpec } from './manifest-types.ts'
import { stringify } from 'yaml'
import type { Site } from '../../../crds/types.ts'
import { loadManifests } from '../../../examples/load.ts'
import { acdContract } from '../../../workloads/acd/contract.ts'
import { ctiContract } from '../../../workloads/cti/contract.ts'
import { edgeAgentContract } from '../../../workloads/edge/contract.ts'
import { loginContract } from '../../../workloads/login/contract.ts'
import { CONFIG_HASH_ANNOTATION, renderSite, resourceName, selectorLabels, type KubernetesObject, type SiteRenderContext } from './index.ts'

const exampleSites = loadManifests(join(import.meta.dirname, '../../../examples/two-site')).filter(
  (object) => object.kind === 'Site',
) as unknown as Site[]

function exampleSite(name: string): Site {
  const site = exampleSites.find((candidate) => candidate.metadata.name === name)
  assert.ok(site, `examples/two-site has no Site ${name}`)
  return structuredClone(site)
}

const nodeCidrs: Record<string, string[]> = { shanghai: ['10.10.0.0/24'], nantong: ['10.20.0.0/24'] }

function contextFor(site: string): SiteRenderContext {
  return {
    namespace: 'callcenter',
    siteUid: site === 'shanghai' ? '0f0e8a52-6d1c-4c1e-9a43-5a0c1f3f7a01' : '7b2d4c9e-1f3a-4e5b-8c6d-2e9f0a1b3c02',
    clusterDomain: 'cluster.local',
    operatorNamespace: 'callcenter-system',
    images: {
      freeswitch: 'registry.example/callcenter/freeswitch:1.10.12',
      kamailio: 'registry.example/callcenter/kamailio:5.8.4',
      edgeAgent: 'registry.example/callcenter/edge-agent:0.1.0',
      acd: 'registry.example/callcenter/acd:0.1.0',
      login: 'registry.example/callcenter/login:0.1.0',
      cti: 'registry.example/callcenter/cti:0.1.0',
      redis: 'docker.io/library/redis:7.4',
    },
    eslPasswordSecretRef: { name: `${site}-esl`, key: 'password' },
    loginTokenSigningSecretRef: { name: 'callcenter-login-token', key: 'signing-key' },
    managedRedisPasswordSecretRef: { name: `${site}-redis`, key: 'password' },
    edge: {
      kamailioCfg: `#!KAMAILIO\n# kamailio.cfg of ${site} (test input; rendered by operator/render/kamailio in the operator)\n`,
      dispatcherList: `1 sip:10.0.0.1:5060 0 0 duid=${site}-fs-0;site=${site}\n`,
      rpcPort: 5071,
    },
    network: { podCidrs: ['10.244.0.0/16'], nodeCidrs: nodeCidrs[site] ?? [] },
  }
}

function render(site: Site, change: (context: SiteRenderContext) => void = () => undefined): KubernetesObject[] {
  const context = contextFor(site.metadata.name)
  change(context)
  return renderSite(site, context)
}

function find(objects: KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name)
  assert.ok(found, `no ${kind} ${name}`)
  return found
}

function podTemplateOf(object: KubernetesObject): PodTemplateSpec {
  const template = (object.spec as { template?: PodTemplateSpec } | undefined)?.template
  assert.ok(template, `${object.kind} ${object.metadata.name} has no pod template`)
  return template
}

function podSpecOf(object: KubernetesObject): PodSpec {
  const spec = podTemplateOf(object).spec
  assert.ok(spec)
  return spec
}

const workloads = (objects: KubernetesObject[]) => objects.filter((object) => ['Deployment', 'StatefulSet'].includes(object.kind))

const allContainers = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...spec.containers]

for (const siteName of ['shanghai', 'nantong']) {
  test(`${siteName}: rendered objects match the golden file byte for byte (UPDATE_GOLDEN=1 rewrites it)`, () => {
    // No line folding and single quotes: readable config blocks, and the file is already in Prettier's style.
    const yaml = render(exampleSite(siteName))
      .map((object) => stringify(object, { lineWidth: 0, singleQuote: true }))
      .join('---\n')
    const golden = join(import.meta.dirname, 'testdata', `${siteName}.yaml`)
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, yaml)
    assert.equal(yaml, readFileSync(golden, 'utf8'))
  })
}

test('a fully Managed site gets every component, in a fixed order of components and kinds', () => {
  const objects = render(exampleSite('shanghai'))
  assert.deepEqual(
    objects.map((object) => `${object.kind}/${object.metadata.name}`),
    [
      'ConfigMap/shanghai-softswitch',
      'Service/shanghai-softswitch',
      'StatefulSet/shanghai-softswitch',
      'PodDisruptionBudget/shanghai-softswitch',
      'NetworkPolicy/shanghai-softswitch',
      'ConfigMap/shanghai-edge',
      'Service/shanghai-edge',
      'Deployment/shanghai-edge',
      'PodDisruptionBudget/shanghai-edge',
      'NetworkPolicy/shanghai-edge',
      ...['acd', 'login', 'cti'].flatMap((c) => [
        `Service/shanghai-${c}`,
        `Deployment/shanghai-${c}`,
        `PodDisruptionBudget/shanghai-${c}`,
        `NetworkPolicy/shanghai-${c}`,
      ]),
      'Service/shanghai-redis',
      'StatefulSet/shanghai-redis',
      'NetworkPolicy/shanghai-redis',
    ],
  )
})

function externalSite(): Site {
  const site = exampleSite('shanghai')
  site.spec.components = {
    softswitch: {
      mode: 'External',
      external: { servers: [{ name: 'fs1', host: '10.10.1.11' }] },
      eslPasswordSecretRef: { name: 'shanghai-esl', key: 'password' },
    },
    edge: { mode: 'External', external: { servers: [{ name: 'edge1', host: '10.10.0.5', rpcUrl: 'http://10.10.0.5:5071/RPC' }] } },
    acd: { mode: 'External', external: { url: 'http://10.10.2.21:8080' } },
    login: { mode: 'External', external: { url: 'http://10.10.2.22:8080/' } },
    cti: { mode: 'External', external: { url: 'http://10.10.2.23:8080' } },
  }
  site.spec.redis = { mode: 'External', external: { host: '10.10.2.30', passwordSecretRef: { name: 'shanghai-redis', key: 'password' } } }
  return site
}

test('External components create nothing', () => {
  assert.deepEqual(render(externalSite()), [])
})

test('each External component alone removes exactly its own objects, and the others point at its address', () => {
  const managed = exampleSite('shanghai')
  const mixed = exampleSite('shanghai')
  mixed.spec.components.login = { mode: 'External', external: { url: 'http://10.10.2.22:8080/' } }
  mixed.spec.redis = { mode: 'External', external: { host: '10.10.2.30', port: 6380 } }
  const objects = render(mixed)
  const components = (list: KubernetesObject[]) => new Set(list.map((object) => object.metadata.labels['app.kubernetes.io/component']))
  assert.deepEqual(components(render(managed)), new Set(['softswitch', 'edge', 'acd', 'login', 'cti', 'redis']))
  assert.deepEqual(components(objects), new Set(['softswitch', 'edge', 'acd', 'cti']))

  const xmlCurl = (find(objects, 'ConfigMap', 'shanghai-softswitch').data as Record<string, string>)['autoload_configs__xml_curl.conf.xml']
  assert.match(xmlCurl ?? '', /value="http:\/\/10\.10\.2\.22:8080\/v1\/freeswitch\/directory"/)
  const ctiEnv = podSpecOf(find(objects, 'Deployment', 'shanghai-cti')).containers[0]?.env ?? []
  assert.deepEqual(
    ctiEnv.find((env) => env.name === 'REDIS_URL'),
    { name: 'REDIS_URL', value: 'redis://10.10.2.30:6380' },
  )
  assert.equal(
    ctiEnv.find((env) => env.name === 'REDIS_PASSWORD'),
    undefined,
  )
})

const SECRET_LIKE = /PASSWORD|KEY|SECRET|TOKEN|AUTH/

test('no secret value in any rendered object: secrets are only referenced through secretKeyRef', () => {
  for (const site of [exampleSite('shanghai'), exampleSite('nantong'), externalSite()]) {
    const objects = render(site)
    assert.ok(objects.every((object) => object.kind !== 'Secret'))
    const secretEnv: EnvVar[] = workloads(objects)
      .flatMap((object) => allContainers(podSpecOf(object)))
      .flatMap((container) => container.env ?? [])
      .filter((env) => SECRET_LIKE.test(env.name))
    for (const env of secretEnv) {
      assert.equal(env.value, undefined, `${env.name} has an inline value`)
      assert.ok(env.valueFrom?.secretKeyRef, `${env.name} is not from a Secret`)
    }
  }
  const objects = render(exampleSite('shanghai'))
  const refs = workloads(objects)
    .flatMap((object) => allContainers(podSpecOf(object)))
    .flatMap((container) => container.env ?? [])
    .filter((env) => env.valueFrom?.secretKeyRef)
    .map((env) => `${env.name}=${env.valueFrom?.secretKeyRef?.name ?? ''}/${env.valueFrom?.secretKeyRef?.key ?? ''}`)
  assert.deepEqual([...new Set(refs)].sort(), [
    'ESL_PASSWORD=shanghai-esl/password',
    'LOGIN_REDIS_PASSWORD=shanghai-redis/password',
    'LOGIN_TOKEN_SECRET=callcenter-login-token/signing-key',
    'REDISCLI_AUTH=shanghai-redis/password',
    'REDIS_PASSWORD=shanghai-redis/password',
  ])
  const freeswitchConfig = JSON.stringify(find(objects, 'ConfigMap', 'shanghai-softswitch').data)
  assert.match(freeswitchConfig, /name=\\"password\\" value=\\"\$\$\{esl_password\}\\"/)
})

test('every object is owned by the Site and carries the common labels', () => {
  const site = exampleSite('nantong')
  for (const object of render(site)) {
    const what = `${object.kind}/${object.metadata.name}`
    assert.equal(object.metadata.namespace, 'callcenter', what)
    assert.deepEqual(
      object.metadata.ownerReferences,
      [
        {
          apiVersion: 'callcenter.dev/v1alpha1',
          kind: 'Site',
          name: 'nantong',
          uid: contextFor('nantong').siteUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      what,
    )
    const component = object.metadata.labels['app.kubernetes.io/component'] ?? ''
    assert.equal(object.metadata.name, `nantong-${component}`, what)
    assert.deepEqual(
      object.metadata.labels,
      {
        'app.kubernetes.io/component': component,
        'app.kubernetes.io/instance': 'nantong',
        'app.kubernetes.io/managed-by': 'callcenter-operator',
        'app.kubernetes.io/name': component,
        'app.kubernetes.io/part-of': 'callcenter',
        'callcenter.dev/site': 'nantong',
      },
      what,
    )
  }
})

interface Rule {
  from?: unknown[]
  ports?: { protocol?: string; port?: number | string }[]
}

const rulesOf = (policy: KubernetesObject) => (policy.spec as { ingress: Rule[] }).ingress

test("the soft switch NetworkPolicy admits the Event Socket only from the CTI bridge pods and the operator's namespace (its probe)", () => {
  const policy = find(render(exampleSite('shanghai')), 'NetworkPolicy', 'shanghai-softswitch')
  const eslRules = rulesOf(policy).filter((rule) => rule.ports?.some((port) => port.port === 8021))
  assert.deepEqual(eslRules, [
    {
      from: [
        { podSelector: { matchLabels: selectorLabels('shanghai', 'cti') } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'callcenter-system' } } },
      ],
      ports: [{ protocol: 'TCP', port: 8021 }],
    },
  ])
  assert.deepEqual((policy.spec as { policyTypes: string[] }).policyTypes, ['Ingress'])
})

test('the CTI outbound-socket port admits only the soft switches (their pods, and their nodes with host networking)', () => {
  const socketRules = (site: Site) =>
    rulesOf(find(render(site), 'NetworkPolicy', 'shanghai-cti')).filter((rule) => rule.ports?.some((port) => port.port === 8084))
  const softswitchPods = { podSelector: { matchLabels: selectorLabels('shanghai', 'softswitch') } }
  assert.deepEqual(socketRules(exampleSite('shanghai')), [
    { from: [softswitchPods, { ipBlock: { cidr: '10.10.0.0/24' } }], ports: [{ protocol: 'TCP', port: 8084 }] },
  ])
  const podNetwork = exampleSite('shanghai')
  podNetwork.spec.placement = { hostNetwork: false }
  assert.deepEqual(socketRules(podNetwork), [{ from: [softswitchPods], ports: [{ protocol: 'TCP', port: 8084 }] }])
})

test('changing the soft switch replicas changes only the soft switch StatefulSet, and only its replicas', () => {
  const site = exampleSite('shanghai')
  const before = render(site)
  const scaled = structuredClone(site)
  scaled.spec.components.softswitch.managed = { ...scaled.spec.components.softswitch.managed, replicas: 6 }
  const after = render(scaled)
  assert.equal(after.length, before.length)
  const changed = after.filter((object, index) => JSON.stringify(object) !== JSON.stringify(before[index]))
  assert.deepEqual(
    changed.map((object) => `${object.kind}/${object.metadata.name}`),
    ['StatefulSet/shanghai-softswitch'],
  )
  const statefulSet = changed[0]
  assert.ok(statefulSet)
  assert.equal((statefulSet.spec as { replicas: number }).replicas, 6)
  const restored = structuredClone(statefulSet)
  ;(restored.spec as { replicas: number }).replicas = 4
  assert.deepEqual(restored, find(before, 'StatefulSet', 'shanghai-softswitch'))
})

test('a running drill scales exactly the workloads of the components it stops to zero, and nothing else', () => {
  const site = exampleSite('shanghai')
  const before = render(site)
  const during = render(site, (context) => (context.stoppedByDrill = ['login', 'edge']))
  const changed = during.filter((object, index) => JSON.stringify(object) !== JSON.stringify(before[index]))
  assert.deepEqual(changed.map((object) => `${object.kind}/${object.metadata.name}`).sort(), [
    'Deployment/shanghai-edge',
    'Deployment/shanghai-login',
  ])
  for (const object of changed) assert.equal((object.spec as { replicas: number }).replicas, 0)
  assert.deepEqual(
    render(site, (context) => (context.stoppedByDrill = [])),
    before,
    'restored: the spec replicas again',
  )
})

const configHashOf = (object: KubernetesObject) => podTemplateOf(object).metadata?.annotations?.[CONFIG_HASH_ANNOTATION]

test('the config hash annotation changes when the mounted config changes, and only then', () => {
  const site = exampleSite('shanghai')
  const softswitchHash = (objects: KubernetesObject[]) => configHashOf(find(objects, 'StatefulSet', 'shanghai-softswitch'))
  const edgeHash = (objects: KubernetesObject[]) => configHashOf(find(objects, 'Deployment', 'shanghai-edge'))
  const base = render(site)
  assert.match(softswitchHash(base) ?? '', /^[0-9a-f]{64}$/)

  const newPodCidr = render(site, (context) => {
    context.network = { ...context.network, podCidrs: ['10.245.0.0/16'] }
  })
  assert.notEqual(softswitchHash(newPodCidr), softswitchHash(base), 'FreeSWITCH ACL changed')
  assert.equal(edgeHash(newPodCidr), edgeHash(base))

  const newKamailioCfg = render(site, (context) => {
    context.edge = { ...context.edge, kamailioCfg: `${context.edge.kamailioCfg}# changed\n` }
  })
  assert.notEqual(edgeHash(newKamailioCfg), edgeHash(base), 'kamailio.cfg changed')
  assert.equal(softswitchHash(newKamailioCfg), softswitchHash(base))

  // A new dispatcher.list reaches the running edges through the edge agent, without a restart.
  const newDispatcherList = render(site, (context) => {
    context.edge = { ...context.edge, dispatcherList: `${context.edge.dispatcherList}2 sip:10.0.0.2:5060 0 0\n` }
  })
  assert.notDeepEqual(find(newDispatcherList, 'ConfigMap', 'shanghai-edge'), find(base, 'ConfigMap', 'shanghai-edge'))
  assert.equal(edgeHash(newDispatcherList), edgeHash(base))

  const newImage = render(site, (context) => {
    context.images = { ...context.images, freeswitch: 'registry.example/callcenter/freeswitch:1.10.13' }
  })
  assert.equal(softswitchHash(newImage), softswitchHash(base))
})

test('the login, ACD, CTI and edge pods, which serve /metrics, announce it to annotation-based Prometheus scrapers on their http port', () => {
  const objects = render(exampleSite('shanghai'))
  const serving = ['shanghai-login', 'shanghai-acd', 'shanghai-cti', 'shanghai-edge']
  for (const name of serving) {
    const template = podTemplateOf(find(objects, 'Deployment', name))
    const annotations = template.metadata?.annotations ?? {}
    assert.equal(annotations['prometheus.io/scrape'], 'true', name)
    assert.equal(annotations['prometheus.io/path'], '/metrics', name)
    const http = template.spec?.containers.flatMap((container) => container.ports ?? []).find((port) => port.name === 'http')
    assert.equal(annotations['prometheus.io/port'], String(http?.containerPort), `${name}: the annotated port is its http port`)
  }
  for (const object of workloads(objects).filter((object) => !serving.includes(object.metadata.name))) {
    assert.equal(
      podTemplateOf(object).metadata?.annotations?.['prometheus.io/scrape'],
      undefined,
      `${object.metadata.name} serves no metrics`,
    )
  }
})

test('soft switches and edges follow spec.placement: host networking, DNS, node pool and one SIP pod per node', () => {
  const objects = render(exampleSite('shanghai'))
  for (const object of [find(objects, 'StatefulSet', 'shanghai-softswitch'), find(objects, 'Deployment', 'shanghai-edge')]) {
    const spec = podSpecOf(object)
    assert.equal(spec.hostNetwork, true)
    assert.equal(spec.dnsPolicy, 'ClusterFirstWithHostNet')
    assert.deepEqual(spec.nodeSelector, { 'callcenter.dev/telephony': 'shanghai' })
    assert.equal(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey, 'kubernetes.io/hostname')
  }
  const podNetwork = exampleSite('shanghai')
  podNetwork.spec.placement = { hostNetwork: false }
  const spec = podSpecOf(find(render(podNetwork), 'StatefulSet', 'shanghai-softswitch'))
  assert.equal(spec.hostNetwork, false)
  assert.equal(spec.dnsPolicy, 'ClusterFirst')
  assert.equal(spec.affinity, undefined)
  assert.equal(spec.nodeSelector, undefined)
  for (const object of workloads(render(exampleSite('shanghai'))).filter(
    (o) => !['shanghai-softswitch', 'shanghai-edge'].includes(o.metadata.name),
  )) {
    assert.equal(podSpecOf(object).hostNetwork, undefined, object.metadata.name)
  }
})

test('every container runs restricted: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
  for (const object of workloads(render(exampleSite('shanghai')))) {
    const spec = podSpecOf(object)
    assert.deepEqual(
      spec.securityContext,
      { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      object.metadata.name,
    )
    for (const container of allContainers(spec)) {
      assert.deepEqual(
        container.securityContext,
        { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        `${object.metadata.name}/${container.name}`,
      )
      assert.deepEqual(container.resources?.requests, container.resources?.limits, `${object.metadata.name}/${container.name}`)
    }
  }
})

test('the soft switch drains on stop: inbound paused, wait for channels, up to 15 minutes', () => {
  const statefulSet = find(render(exampleSite('shanghai')), 'StatefulSet', 'shanghai-softswitch')
  const spec = podSpecOf(statefulSet)
  assert.equal(spec.terminationGracePeriodSeconds, 900)
  const preStop = spec.containers[0]?.lifecycle?.preStop?.exec?.command?.join(' ') ?? ''
  assert.match(preStop, /fsctl pause inbound/)
  assert.match(preStop, /show channels count/)
  assert.deepEqual(spec.containers[0]?.resources?.limits, { cpu: '4', memory: '8Gi' })
})

test('Redis takes its resources from the Site, 1 CPU and 1Gi by default, requests equal to limits', () => {
  const redisResources = (site: Site) => podSpecOf(find(render(site), 'StatefulSet', 'shanghai-redis')).containers[0]?.resources
  const defaults = { cpu: '1', memory: '1Gi' }
  assert.deepEqual(redisResources(exampleSite('shanghai')), { limits: defaults, requests: defaults })
  const site = exampleSite('shanghai')
  site.spec.redis.managed = { ...site.spec.redis.managed, resources: { cpu: '2', memory: '4Gi' } }
  assert.deepEqual(redisResources(site), { limits: { cpu: '2', memory: '4Gi' }, requests: { cpu: '2', memory: '4Gi' } })
})

test('resources.requests lowers only the requests: the limits stay the given or default ones', () => {
  const site = exampleSite('shanghai')
  const { softswitch } = site.spec.components
  softswitch.managed = { ...softswitch.managed, resources: { requests: { cpu: '50m', memory: '128Mi' } } }
  site.spec.redis.managed = { ...site.spec.redis.managed, resources: { memory: '2Gi', requests: { cpu: '50m' } } }
  const objects = render(site)
  const freeswitch = podSpecOf(find(objects, 'StatefulSet', 'shanghai-softswitch')).containers[0]
  assert.deepEqual(freeswitch?.resources, { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '50m', memory: '128Mi' } })
  const redis = podSpecOf(find(objects, 'StatefulSet', 'shanghai-redis')).containers[0]
  assert.deepEqual(redis?.resources, { limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '50m', memory: '2Gi' } })
})

test('names stay short enough for every kind and distinct per component, however long the site name', () => {
  const longName = 'a'.repeat(60)
  const names = (['softswitch', 'edge', 'acd', 'login', 'cti', 'redis'] as const).map((component) => resourceName(longName, component))
  for (const name of names) {
    assert.ok(name.length <= 52, name)
    assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  }
  assert.equal(new Set(names).size, names.length)
  assert.notEqual(resourceName(`${'a'.repeat(59)}b`, 'edge'), resourceName(`${'a'.repeat(59)}c`, 'edge'))
  assert.equal(resourceName('shanghai', 'softswitch'), 'shanghai-softswitch')
})

test('rendering is deterministic, whatever the order of the node selector and the address lists', () => {
  const site = exampleSite('shanghai')
  const shuffled = structuredClone(site)
  shuffled.spec.placement = { hostNetwork: true, nodeSelector: { zeta: 'z', 'callcenter.dev/telephony': 'shanghai', alpha: 'a' } }
  site.spec.placement = { hostNetwork: true, nodeSelector: { alpha: 'a', 'callcenter.dev/telephony': 'shanghai', zeta: 'z' } }
  const twoNodeRanges = (reverse: boolean) => (context: SiteRenderContext) => {
    const cidrs = ['10.10.0.0/24', '10.10.1.0/24']
    context.network = { ...context.network, nodeCidrs: reverse ? cidrs.reverse() : cidrs }
  }
  assert.equal(stringify(render(site, twoNodeRanges(false))), stringify(render(shuffled, twoNodeRanges(true))))
})

test('no nested object is shared between or within rendered objects, so changing one never changes another', () => {
  const seen = new Set<object>()
  const visit = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return
    assert.ok(!seen.has(value), `${path} is shared with another place`)
    seen.add(value)
    for (const [key, child] of Object.entries(value)) visit(child, `${path}.${key}`)
  }
  const context = contextFor('shanghai')
  for (const object of renderSite(exampleSite('shanghai'), context)) visit(object, `${object.kind}/${object.metadata.name}`)
  for (const shared of [context.network, context.eslPasswordSecretRef, context.images, context.edge]) assert.ok(!seen.has(shared))
})

test('with External soft switches, the CTI socket port admits their addresses (or anyone, when given by DNS name)', () => {
  const socketRules = (hosts: string[]) => {
    const site = exampleSite('shanghai')
    site.spec.components.softswitch = {
      mode: 'External',
      external: { servers: hosts.map((host, index) => ({ name: `fs${index}`, host })) },
      eslPasswordSecretRef: { name: 'shanghai-esl', key: 'password' },
    }
    const objects = render(site)
    assert.ok(objects.every((object) => object.metadata.labels['app.kubernetes.io/component'] !== 'softswitch'))
    return rulesOf(find(objects, 'NetworkPolicy', 'shanghai-cti')).filter((rule) => rule.ports?.some((port) => port.port === 8084))
  }
  assert.deepEqual(socketRules(['10.10.1.12', '10.10.1.11']), [
    { from: [{ ipBlock: { cidr: '10.10.1.11/32' } }, { ipBlock: { cidr: '10.10.1.12/32' } }], ports: [{ protocol: 'TCP', port: 8084 }] },
  ])
  assert.deepEqual(socketRules(['10.10.1.11', 'fs2.shanghai.example']), [{ ports: [{ protocol: 'TCP', port: 8084 }] }])
})

// The programs' own configuration contracts, by the program a container runs (its command).
const CONTRACTS = {
  'workloads/acd/main.ts': acdContract,
  'workloads/login/main.ts': loginContract,
  'workloads/cti/main.ts': ctiContract,
  'workloads/edge/main.ts': edgeAgentContract,
} as const

interface ReadContract {
  names: readonly string[]
  parse(env: Readonly<Record<string, string | undefined>>): Record<string, unknown>
  unknown(names: Iterable<string>): string[]
}

/** The environment as the kubelet would give it: Secret values and pod fields filled in with stand-ins. */
function resolvedEnv(env: readonly EnvVar[]): Record<string, string> {
  return Object.fromEntries(
    env.map((variable) => {
      if (variable.value !== undefined) return [variable.name, variable.value]
      if (variable.valueFrom?.secretKeyRef) return [variable.name, `secret-of-${variable.valueFrom.secretKeyRef.name}-at-least-32-bytes`]
      if (variable.valueFrom?.fieldRef?.fieldPath === 'status.podIP') return [variable.name, '10.10.0.17']
      assert.fail(`${variable.name}: a source the test cannot stand in for`)
    }),
  )
}

/** Every container that runs one of the programs, with the program's contract and what it parses from the rendered env. */
function programContainers(objects: KubernetesObject[]) {
  return workloads(objects).flatMap((object) =>
    allContainers(podSpecOf(object)).flatMap((container) => {
      const program = container.command?.find((part) => part.startsWith('workloads/'))
      if (program === undefined) return []
      const contract: ReadContract | undefined = (CONTRACTS as Record<string, ReadContract>)[program]
      assert.ok(contract, `${object.metadata.name}/${container.name} runs ${program}, which has no configuration contract`)
      const env = container.env ?? []
      const what = `${object.metadata.name}/${container.name}`
      assert.deepEqual(contract.unknown(env.map((variable) => variable.name)), [], `${what}: variables ${program} does not read`)
      let settings: Record<string, unknown> = {}
      assert.doesNotThrow(() => (settings = contract.parse(resolvedEnv(env))), `${what}: ${program} would refuse to start`)
      return [{ object, container, program, settings, what }]
    }),
  )
}

const portNamed = (container: Container, name: string) => container.ports?.find((port) => port.name === name)?.containerPort

for (const [name, site] of [
  ['shanghai', () => exampleSite('shanghai')],
  ['nantong', () => exampleSite('nantong')],
  [
    'shanghai with External login and Redis',
    () => {
      const mixed = exampleSite('shanghai')
      mixed.spec.components.login = { mode: 'External', external: { url: 'http://10.10.2.22:8080/' } }
      mixed.spec.redis = { mode: 'External', external: { host: '10.10.2.30', port: 6380 } }
      return mixed
    },
  ],
] as const) {
  test(`${name}: every rendered program's env parses through the program's own contract, and it listens where its pod says`, () => {
    const objects = render(site())
    const containers = programContainers(objects)
    const managed = new Set(objects.map((object) => object.metadata.labels['app.kubernetes.io/component']))
    const expected = (['acd', 'login', 'cti', 'edge'] as const).filter((component) => managed.has(component))
    assert.deepEqual(containers.map((c) => c.object.metadata.labels['app.kubernetes.io/component']).sort(), [...expected].sort())

    for (const { container, program, settings, what } of containers) {
      // Where it listens for HTTP is the port its probes and Service name `http`.
      const httpPort = program === 'workloads/cti/main.ts' ? settings.httpPort : settings.port
      assert.equal(httpPort, portNamed(container, 'http'), `${what}: listens on its http port`)
      // Probed where it serves: readiness and health on its http port.
      assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http' }, what)
      assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'http' }, what)
      if (program === 'workloads/edge/main.ts') assert.notEqual(settings.host, '127.0.0.1', `${what}: reachable at its pod's address`)
      else assert.equal(settings.host, '0.0.0.0', `${what}: reachable from outside its pod`)
      // Redis: the Site's, with the password from its Secret (a Managed Redis requires one).
      if (program !== 'workloads/edge/main.ts') {
        assert.match(String(settings.redisUrl), /^redis:\/\/[^@]+$/, `${what}: the Redis URL carries no password`)
        const passwordName = program === 'workloads/login/main.ts' ? 'LOGIN_REDIS_PASSWORD' : 'REDIS_PASSWORD'
        const password = container.env?.find((variable) => variable.name === passwordName)
        if (name.includes('External')) assert.equal(password, undefined, `${what}: an External Redis without a passwordSecretRef`)
        else assert.deepEqual(password?.valueFrom?.secretKeyRef, { name: `${site().metadata.name}-redis`, key: 'password' }, what)
      }
    }

    const cti = containers.find((c) => c.program === 'workloads/cti/main.ts')
    assert.ok(cti)
    // FreeSWITCH's dialplan hands every call to the CTI bridge at the port it listens on.
    const dialplan =
      (find(objects, 'ConfigMap', `${cti.object.metadata.labels['callcenter.dev/site']}-softswitch`).data as Record<string, string>)[
        'dialplan__callcenter.xml'
      ] ?? ''
    const socket = /application="socket" data="([^":]+):(\d+) async full"/.exec(dialplan)
    assert.ok(socket, 'the dialplan hands calls to a socket')
    assert.equal(Number(socket[2]), cti.settings.port, 'the dialplan socket port is where the bridge listens')
    assert.equal(portNamed(cti.container, 'socket'), cti.settings.port, 'and its pod exposes it')
    assert.ok(socket[1]?.startsWith(`${cti.object.metadata.name}.`), 'at the CTI Service')
    // A transfer to another site's queue goes through this site's edge, at its Service's SIP port.
    const siteName = cti.object.metadata.labels['callcenter.dev/site'] ?? ''
    assert.equal(cti.settings.edge, `${siteName}-edge.callcenter.svc.cluster.local:5060`)
    const edgeService = find(objects, 'Service', `${siteName}-edge`).spec as { ports: { name: string; port: number; protocol: string }[] }
    assert.deepEqual(
      edgeService.ports.filter((port) => port.port === 5060).map((port) => `${port.name}/${port.protocol}`),
      ['sip-udp/UDP', 'sip-tcp/TCP'],
    )

    const login = containers.find((c) => c.program === 'workloads/login/main.ts')
    if (login) {
      // The identity file is in the Secret the Site names, mounted where LOGIN_IDENTITY_FILE points.
      const file = String(login.settings.identityFile)
      const mounted = login.container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`))
      assert.ok(mounted, 'the identity file is on a mounted volume')
      const volume = podSpecOf(login.object).volumes?.find((v) => v.name === mounted.name)
      assert.deepEqual(volume?.secret, {
        secretName: `${login.object.metadata.labels['callcenter.dev/site']}-login-identity`,
        items: [{ key: 'identity.json', path: file.slice(mounted.mountPath.length + 1) }],
      })
      assert.equal(
        login.settings.acdUrl,
        `http://${login.object.metadata.labels['callcenter.dev/site']}-acd.callcenter.svc.cluster.local:8080`,
      )
    }
  })
}

test('a misnamed or missing variable fails the contract check the renderer is held to', () => {
  const objects = render(exampleSite('shanghai'))
  const acd = find(objects, 'Deployment', 'shanghai-acd')
  const container = podSpecOf(acd).containers[0]
  assert.ok(container?.env)
  container.env = container.env.map((variable) => (variable.name === 'ACD_SITE' ? { ...variable, name: 'SITE' } : variable))
  assert.throws(() => programContainers([acd]), /variables workloads\/acd\/main\.ts does not read/)
  container.env = container.env.filter((variable) => variable.name !== 'SITE')
  assert.throws(() => programContainers([acd]), /would refuse to start/)
})

test('a Site names the identity Secret of its Managed login service', () => {
  const site = exampleSite('shanghai')
  site.spec.components.login = { mode: 'Managed', identitySecretRef: { name: 'callcenter-accounts', key: 'accounts.json' } }
  const spec = podSpecOf(find(render(site), 'Deployment', 'shanghai-login'))
  assert.deepEqual(spec.volumes?.find((volume) => volume.name === 'identity')?.secret, {
    secretName: 'callcenter-accounts',
    items: [{ key: 'accounts.json', path: 'identity.json' }],
  })
})

test('an External Redis or edge given by an IPv6 address is named in brackets, as the programs parse it', () => {
  const site = exampleSite('shanghai')
  site.spec.redis = { mode: 'External', external: { host: 'fd00::30' } }
  site.spec.components.edge = {
    mode: 'External',
    external: { servers: [{ name: 'e1', host: 'fd00::5', rpcUrl: 'http://[fd00::5]:5071/RPC' }] },
  }
  const cti = programContainers(render(site)).find((c) => c.program === 'workloads/cti/main.ts')
  assert.equal(cti?.settings.redisUrl, 'redis://[fd00::30]:6379')
  assert.equal(cti.settings.edge, '[fd00::5]:5060')
})
