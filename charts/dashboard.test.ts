// The Grafana dashboard in the chart queries only metrics the operator and the services really export,
// with labels those metrics really have: the metric names come from the PromQL of every panel, the
// exported ones from the real prom-client registries (operator, login, ACD), as built by the code.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import type { Registry } from 'prom-client'
import { createMetrics, observeInformers, observeQueues } from '../operator/runtime/metrics.ts'
import { AcdEngine } from '../workloads/acd/engine.ts'
import { createAcdMetrics } from '../workloads/acd/metrics.ts'
import { createLoginMetrics } from '../workloads/login/metrics.ts'

interface Target {
  expr: string
  legendFormat?: string
}

interface Panel {
  id: number
  type: string
  title: string
  description?: string
  gridPos: { x: number; y: number; w: number; h: number }
  datasource?: { uid: string }
  targets?: Target[]
}

interface Dashboard {
  uid: string
  panels: Panel[]
  templating: { list: { name: string; type: string; definition?: string }[] }
}

const dashboard = JSON.parse(readFileSync(new URL('callcenter-operator/dashboards/callcenter.json', import.meta.url), 'utf8')) as Dashboard

/** Labels Prometheus adds from the scrape target (a ServiceMonitor or PodMonitor adds these). */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint']

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset'])

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or literals. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/g, ' ')
    .replace(/(?<![A-Za-z0-9_:])\d+(\.\d+)?([eE][+-]?\d+)?/g, ' ')
  const names: string[] = []
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = stripped.slice(match.index + match[0].length).trimStart()
    if (after.startsWith('(') || KEYWORDS.has(match[0])) continue
    names.push(match[0])
  }
  return [...new Set(names)]
}

/** Labels an expression matches on (`{label="..."}`) and groups by (`by (label, ...)`). */
function labelsUsed(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  const matchers = [...withoutStrings.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/([A-Za-z_]\w*)\s*(=~|!~|!=|=)/g)])
  const groupings = [...withoutStrings.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] ?? '').split(',').map((label) => label.trim()),
  )
  return [...new Set([...matchers.map((m) => m[1] ?? ''), ...groupings].filter((label) => label !== ''))]
}

interface Exported {
  type: string
  labels: Set<string>
}

const labelNamesOf = (metric: object) => (metric as { labelNames?: readonly string[] }).labelNames ?? []

/** Every metric a registry exports, with its labels (its own, the registry's default labels, and the target's). */
async function exportedMetrics(registry: Registry, into: Map<string, Exported>): Promise<void> {
  // Default labels (registry.setDefaultLabels) show on every series the registry exports: read them off the ones it has.
  const defaults = (await registry.getMetricsAsJSON()).flatMap((metric) =>
    metric.values
      .flatMap((value) => Object.keys(value.labels))
      .filter((label) => !['le', 'quantile', ...labelNamesOf(metric)].includes(label)),
  )
  for (const metric of registry.getMetricsAsArray()) {
    into.set(metric.name, { type: String(metric.type), labels: new Set([...labelNamesOf(metric), ...defaults, ...TARGET_LABELS]) })
  }
}

async function everyExportedMetric(): Promise<Map<string, Exported>> {
  const exported = new Map<string, Exported>()
  const operator = createMetrics()
  observeInformers(operator, [{ type: { plural: 'sites' }, metrics: { relists: 1, watchRestarts: 0, events: 3 } }])
  observeQueues(operator, [{ name: 'site', queue: { depth: 0 } }])
  await exportedMetrics(operator.registry, exported)
  const login = createLoginMetrics('shanghai', {
    activeSessions: () => Promise.resolve(1),
    leaseUsage: () => Promise.resolve([{ pool: 'general', size: 10, leased: 1 }]),
    connections: () => ({ primary: 1, standby: 1 }),
  })
  await exportedMetrics(login.registry, exported)
  const engine = new AcdEngine({ site: 'shanghai' })
  await exportedMetrics(createAcdMetrics('shanghai', () => engine).registry, exported)
  return exported
}

/** The exported metric a queried series belongs to (a histogram's _bucket, _sum and _count included). */
function exportedFor(name: string, exported: Map<string, Exported>): Exported | undefined {
  const direct = exported.get(name)
  if (direct) return direct
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)
  const metric = base ? exported.get(base[1] ?? '') : undefined
  if (!metric || !['histogram', 'summary'].includes(metric.type)) return undefined
  return base?.[2] === 'bucket' ? { ...metric, labels: new Set([...metric.labels, 'le']) } : metric
}

const queried = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })))

describe('reading metric names from PromQL', () => {
  it('finds the series, not the functions, keywords, labels, durations or numbers', () => {
    assert.deepEqual(
      metricNames(
        'histogram_quantile(0.95, sum by (le, controller) (rate(x_seconds_bucket{result="error", a=~"$site"}[$__rate_interval])))',
      ),
      ['x_seconds_bucket'],
    )
    assert.deepEqual(metricNames('100 * max by (site, pool) (used{site=~"$site"}) / max by (site, pool) (size) > 1e3'), ['used', 'size'])
    assert.deepEqual(metricNames('sum(increase(a_total[15m])) and on (x) b offset 5m or vector(0)'), ['a_total', 'b'])
    assert.deepEqual(labelsUsed('sum by (site, kind) (rate(c{kind="token",site=~"$site"}[5m]))'), ['kind', 'site'])
  })
})

describe('the Grafana dashboard', () => {
  it('queries only metrics the operator, login service and ACD export', async () => {
    const exported = await everyExportedMetric()
    const unknown = queried.flatMap(({ panel, expr }) =>
      metricNames(expr)
        .filter((name) => exportedFor(name, exported) === undefined)
        .map((name) => `${panel}: ${name}`),
    )
    assert.deepEqual(unknown, [])
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const [, metric, label] = /^label_values\((\w+)(?:\{[^}]*\})?,\s*(\w+)\)$/.exec(variable.definition ?? '') ?? []
      assert.ok(metric && label, `variable ${variable.name}: ${String(variable.definition)}`)
      assert.ok(exported.get(metric)?.labels.has(label), `variable ${variable.name}: ${metric} has no label ${label}`)
    }
  })

  it('matches, groups and names series only by labels those metrics have', async () => {
    const exported = await everyExportedMetric()
    for (const { panel, expr, legendFormat } of queried) {
      const known = new Set(metricNames(expr).flatMap((name) => [...(exportedFor(name, exported)?.labels ?? [])]))
      const legendLabels = [...(legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '')
      for (const label of [...labelsUsed(expr), ...legendLabels]) {
        assert.ok(known.has(label), `${panel}: ${expr} uses label ${label}, which none of its metrics has`)
      }
    }
  })

  it('narrows every login and ACD query to the chosen sites and tells the sites apart', () => {
    for (const { panel, expr, legendFormat } of queried.filter(({ expr }) => /\b(login|acd)_/.test(expr))) {
      for (const name of metricNames(expr)) {
        assert.match(expr, new RegExp(`${name}\\{[^}]*site=~"\\$site"`), `${panel}: ${name} is not narrowed to $site`)
      }
      assert.match(legendFormat ?? '', /\{\{site\}\}/, `${panel}: ${expr} does not name the site in its legend`)
    }
  })

  it('has a query, a description and the chosen data source on every graph, and fits the grid', () => {
    const ids = dashboard.panels.map((panel) => panel.id)
    assert.equal(new Set(ids).size, ids.length, 'panel ids repeat')
    for (const panel of dashboard.panels) {
      const { x, w } = panel.gridPos
      assert.ok(x >= 0 && w > 0 && x + w <= 24, `${panel.title} does not fit the 24-column grid`)
      if (panel.type === 'row' || panel.type === 'text') continue
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has no query`)
      assert.ok((panel.description ?? '').length > 10, `${panel.title} has no description`)
      assert.equal(panel.datasource?.uid, '${datasource}', `${panel.title} does not use the dashboard's data source variable`)
    }
    assert.equal(dashboard.uid, 'callcenter-operator')
  })
})
