// The chart's Grafana dashboard ConfigMap, rendered by the real helm: off by default; when on, labelled
// for the Grafana sidecar and carrying dashboards/callcenter.json unchanged.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { parseAllDocuments } from 'yaml'
import type { CommandResult } from '../controlplane/controlplane.ts'
import { CHART_DIR, createHelm, KUBE_VERSION, type Helm } from './helm.ts'

interface ConfigMap {
  kind: string
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> }
  data: Record<string, string>
}

const RELEASE = 'callcenter-operator'
const NAMESPACE = 'callcenter-system'

function rendered(result: CommandResult): ConfigMap[] {
  assert.equal(result.code, 0, `helm template failed (exit ${result.code}):\n${result.stderr}`)
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as ConfigMap | null)
    .filter((object): object is ConfigMap => object?.kind === 'ConfigMap')
}

describe('the Grafana dashboard in the Helm chart', () => {
  let helm: Helm
  before(() => {
    helm = createHelm()
  })
  after(() => {
    helm.cleanup()
  })

  const template = (sets: readonly string[]) =>
    helm.run([
      'template',
      RELEASE,
      CHART_DIR,
      `--namespace=${NAMESPACE}`,
      `--kube-version=${KUBE_VERSION}`,
      ...sets.flatMap((set) => ['--set', set]),
    ])

  it('renders no dashboard ConfigMap by default', async () => {
    assert.deepEqual(rendered(await template([])), [])
  })

  it('renders the dashboard, byte for byte, in a ConfigMap labelled for the Grafana sidecar', async () => {
    const [configMap, ...others] = rendered(await template(['grafanaDashboard.enabled=true']))
    assert.equal(others.length, 0)
    assert.ok(configMap)
    assert.equal(configMap.metadata.name, `${RELEASE}-dashboard`)
    assert.equal(configMap.metadata.namespace, NAMESPACE)
    assert.equal(configMap.metadata.labels['grafana_dashboard'], '1')
    assert.equal(configMap.metadata.labels['app.kubernetes.io/part-of'], 'callcenter-operator')
    const file = readFileSync(`${CHART_DIR}/dashboards/callcenter.json`, 'utf8')
    assert.equal(configMap.data['callcenter.json'], file.trimEnd())
    assert.equal((JSON.parse(configMap.data['callcenter.json'] ?? '') as { uid: string }).uid, 'callcenter-operator')
  })

  it("puts it in Grafana's namespace with the sidecar's label and folder annotation when told", async () => {
    const [configMap] = rendered(
      await template([
        'grafanaDashboard.enabled=true',
        'grafanaDashboard.namespace=monitoring',
        'grafanaDashboard.labels.grafana_dashboard=null',
        'grafanaDashboard.labels.dashboards=callcenter',
        'grafanaDashboard.annotations.grafana_folder=Call center',
      ]),
    )
    assert.ok(configMap)
    assert.equal(configMap.metadata.namespace, 'monitoring')
    assert.equal(configMap.metadata.labels['dashboards'], 'callcenter')
    assert.equal(configMap.metadata.labels['grafana_dashboard'], undefined)
    assert.deepEqual(configMap.metadata.annotations, { grafana_folder: 'Call center' })
  })

  it('passes helm lint --strict with the dashboard on, and refuses an unknown key under grafanaDashboard', async () => {
    const lint = await helm.run(['lint', '--strict', CHART_DIR, '--set', 'grafanaDashboard.enabled=true'])
    assert.equal(lint.code, 0, lint.stdout + lint.stderr)
    const typo = await template(['grafanaDashboard.enable=true'])
    assert.notEqual(typo.code, 0)
    assert.match(typo.stderr, /grafanaDashboard.*enable/s)
  })
})
