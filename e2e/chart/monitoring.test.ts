// The chart's PodMonitor for the sites' login, ACD, CTI and edge services, rendered by the real helm and
// checked against the pods the operator really renders for the two-site example: it must select exactly
// those pods (not the operator's own, not the soft switches or Redis) and name a port those pods have,
// where they serve /metrics.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseAllDocuments } from 'yaml'
import type { Site } from '../../crds/types.ts'
import { loadManifests } from '../../examples/load.ts'
import type { PodTemplateSpec } from '../../operator/render/site/manifest-types.ts'
import { renderSite, type KubernetesObject, type SiteRenderContext } from '../../operator/render/site/index.ts'
import type { CommandResult } from '../controlplane/controlplane.ts'
import { CHART_DIR, createHelm, KUBE_VERSION, type Helm } from './helm.ts'

interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[]
}

interface PodMonitor {
  kind: 'PodMonitor'
  apiVersion: string
  metadata: { name: string; namespace: string; labels: Record<string, string> }
  spec: {
    selector: LabelSelector
    namespaceSelector: { any?: boolean; matchNames?: string[] }
    podMetricsEndpoints: { port: string; path: string; interval: string; scrapeTimeout: string }[]
  }
}

const RELEASE = 'callcenter-operator'
const NAMESPACE = 'callcenter-system'

function renderedObjects(result: CommandResult): KubernetesObject[] {
  assert.equal(result.code, 0, `helm failed (exit ${result.code}):\n${result.stderr}`)
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null)
}

const podMonitorsOf = (objects: KubernetesObject[]) => objects.filter((object) => object.kind === 'PodMonitor') as unknown as PodMonitor[]

/** Kubernetes label-selector semantics: every matchLabels pair and every expression must hold. */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value)
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key]
    if (operator === 'Exists') return value !== undefined
    if (operator === 'DoesNotExist') return value === undefined
    const listed = value !== undefined && values.includes(value)
    return operator === 'In' ? listed : !listed
  })
  return pairs && expressions
}

function context(site: string): SiteRenderContext {
  return {
    namespace: 'callcenter',
    siteUid: `uid-${site}`,
    clusterDomain: 'cluster.local',
    operatorNamespace: NAMESPACE,
    images: { freeswitch: 'fs', kamailio: 'kamailio', edgeAgent: 'w', acd: 'w', login: 'w', cti: 'w', redis: 'redis' },
    eslPasswordSecretRef: { name: `${site}-esl`, key: 'password' },
    loginTokenSigningSecretRef: { name: 'login-token', key: 'signing-key' },
    edge: { kamailioCfg: '#!KAMAILIO\n', dispatcherList: '', rpcPort: 5071 },
    network: { podCidrs: ['10.244.0.0/16'], nodeCidrs: [] },
  }
}

/** Every pod template the operator renders for the two-site example (both sites, every component). */
function examplePodTemplates(): { name: string; template: PodTemplateSpec }[] {
  const sites = loadManifests(join(import.meta.dirname, '../../examples/two-site')).filter(
    (object) => object.kind === 'Site',
  ) as unknown as Site[]
  assert.equal(sites.length, 2)
  return sites
    .flatMap((site) => renderSite(site, context(site.metadata.name)))
    .flatMap((object) => {
      const template = (object.spec as { template?: PodTemplateSpec } | undefined)?.template
      return template === undefined ? [] : [{ name: `${object.kind}/${object.metadata.name}`, template }]
    })
}

describe('the PodMonitor of the sites’ login, ACD, CTI and edge services in the Helm chart', () => {
  let helm: Helm
  before(() => {
    helm = createHelm()
  })
  after(() => {
    helm.cleanup()
  })

  const template = async (sets: readonly string[]) =>
    renderedObjects(
      await helm.run([
        'template',
        RELEASE,
        CHART_DIR,
        `--namespace=${NAMESPACE}`,
        `--kube-version=${KUBE_VERSION}`,
        ...sets.flatMap((set) => ['--set', set]),
      ]),
    )

  it('renders no PodMonitor by default', async () => {
    assert.deepEqual(podMonitorsOf(await template([])), [])
  })

  it('selects exactly the login, ACD, CTI and edge pods the operator renders, at their http port, and none of the chart’s own', async () => {
    const objects = await template(['metrics.podMonitor.enabled=true', 'metrics.podMonitor.labels.release=kube-prometheus-stack'])
    const [monitor, ...others] = podMonitorsOf(objects)
    assert.ok(monitor)
    assert.equal(others.length, 0)
    assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1')
    assert.equal(monitor.metadata.name, `${RELEASE}-sites`)
    assert.equal(monitor.metadata.namespace, NAMESPACE)
    assert.equal(monitor.metadata.labels.release, 'kube-prometheus-stack')
    assert.deepEqual(monitor.spec.namespaceSelector, { any: true })
    assert.deepEqual(monitor.spec.podMetricsEndpoints, [{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }])

    const pods = examplePodTemplates()
    const selected = pods.filter(({ template: pod }) => selects(monitor.spec.selector, pod.metadata?.labels ?? {})).map(({ name }) => name)
    assert.deepEqual(
      selected.sort(),
      ['nantong', 'shanghai'].flatMap((site) => ['acd', 'cti', 'edge', 'login'].map((component) => `Deployment/${site}-${component}`)),
    )
    for (const { name, template: pod } of pods.filter((p) => selected.includes(p.name))) {
      const http = pod.spec?.containers.flatMap((container) => container.ports ?? []).find((port) => port.name === 'http')
      assert.ok(http, `${name} has no port named http`)
      const annotations = pod.metadata?.annotations ?? {}
      assert.equal(annotations['prometheus.io/port'], String(http.containerPort), `${name}: its scrape annotation agrees`)
      assert.equal(annotations['prometheus.io/path'], '/metrics')
    }
    const chartPods = objects.flatMap((object) => {
      const labels = (object.spec as { template?: PodTemplateSpec } | undefined)?.template?.metadata?.labels
      return labels === undefined ? [] : [labels]
    })
    assert.ok(chartPods.length > 0, 'the chart renders the operator Deployment')
    for (const labels of chartPods) assert.equal(selects(monitor.spec.selector, labels), false, 'the operator pod is not a site service')
  })

  it('looks only in the watched namespace, or in the namespaces named', async () => {
    const watched = podMonitorsOf(await template(['metrics.podMonitor.enabled=true', 'watchNamespace=tenant-a']))[0]
    assert.deepEqual(watched?.spec.namespaceSelector, { matchNames: ['tenant-a'] })
    const named = podMonitorsOf(
      await template([
        'metrics.podMonitor.enabled=true',
        'metrics.podMonitor.namespaces={callcenter,callcenter-b}',
        'watchNamespace=tenant-a',
      ]),
    )[0]
    assert.deepEqual(named?.spec.namespaceSelector, { matchNames: ['callcenter', 'callcenter-b'] })
  })

  it('passes helm lint --strict with it on, and refuses a bad interval or an unknown key under podMonitor', async () => {
    const lint = await helm.run([
      'lint',
      '--strict',
      CHART_DIR,
      '--set',
      'metrics.podMonitor.enabled=true,metrics.serviceMonitor.enabled=true',
    ])
    assert.equal(lint.code, 0, lint.stdout + lint.stderr)
    for (const [set, complaint] of [
      ['metrics.podMonitor.interval=often', /'\/metrics\/podMonitor\/interval': 'often' does not match pattern/],
      ['metrics.podMonitor.selector=x', /'\/metrics\/podMonitor': additional properties 'selector' not allowed/],
    ] as const) {
      const refused = await helm.run(['template', RELEASE, CHART_DIR, `--kube-version=${KUBE_VERSION}`, '--set', set])
      assert.notEqual(refused.code, 0, `${set} should be refused`)
      assert.match(refused.stderr, complaint)
    }
  })
})
