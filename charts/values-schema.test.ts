// The chart's values schema: values.yaml passes it, bad values do not, every value is described, and the
// checked-in values.schema.json is exactly what the TypeBox schema generates.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Ajv, type ErrorObject } from 'ajv'
import { parse } from 'yaml'
import { ChartValues, valuesSchemaJson } from './values-schema.ts'

const chartFile = (name: string) => readFileSync(new URL(`callcenter-operator/${name}`, import.meta.url), 'utf8')
const defaults = parse(chartFile('values.yaml')) as Record<string, unknown>

const ajv = new Ajv({ allErrors: true, strict: true })
const validate = ajv.compile(ChartValues)

function errorsOf(values: unknown): ErrorObject[] {
  return validate(values) ? [] : (validate.errors ?? [])
}

/** values.yaml with one value replaced; `path` is a dotted path, as with helm --set. */
function withValue(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(defaults)
  const keys = path.split('.')
  const last = keys.pop() as string
  let node = copy
  for (const key of keys) node = node[key] as Record<string, unknown>
  node[last] = value
  return copy
}

interface SchemaNode {
  description?: string
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  items?: SchemaNode
}

/** The schema that describes `path` in the values, following properties, items and maps. */
function schemaAt(root: SchemaNode, path: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root
  for (const key of path) {
    if (node === undefined) return undefined
    if (typeof key === 'number') node = node.items
    else node = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined)
  }
  return node
}

function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafPaths(item, [...path, index]))
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    return entries.length === 0 ? [path] : entries.flatMap(([key, item]) => [path, ...leafPaths(item, [...path, key])])
  }
  return [path]
}

describe('the chart values schema', () => {
  it('accepts values.yaml', () => {
    assert.deepEqual(errorsOf(defaults), [])
  })

  it('is what charts/callcenter-operator/values.schema.json holds (regenerate it from charts/values-schema.ts)', () => {
    assert.equal(chartFile('values.schema.json'), valuesSchemaJson())
  })

  it('describes every key of values.yaml, and values.yaml sets every key it requires', () => {
    const schema = ChartValues as SchemaNode
    for (const path of leafPaths(defaults)) {
      if (path.length === 0 || typeof path.at(-1) === 'number') continue
      const node = schemaAt(schema, path)
      assert.ok(node !== undefined, `values.yaml has ${path.join('.')}, which the schema does not know`)
      assert.ok((node.description ?? '').length > 0, `${path.join('.')} has no description`)
    }
    // Every property the schema declares has a description too, including those values.yaml leaves out.
    const walk = (node: SchemaNode, at: string): void => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        assert.ok((child.description ?? '').length > 0, `${at}${key} has no description`)
        walk(child, `${at}${key}.`)
      }
      if (node.items) walk(node.items, `${at}[].`)
    }
    walk(schema, '')
    assert.deepEqual(Object.keys(defaults).sort(), Object.keys(schema.properties ?? {}).sort())
  })

  it('refuses bad values, naming the value', () => {
    const refused = (values: unknown, instancePath: string, keyword: string) => {
      const errors = errorsOf(values)
      assert.ok(
        errors.some((error) => error.instancePath === instancePath && error.keyword === keyword),
        `expected ${keyword} at ${instancePath}, got ${JSON.stringify(errors)}`,
      )
    }
    refused(withValue('replicas', -1), '/replicas', 'minimum')
    refused(withValue('replicas', '2'), '/replicas', 'type')
    refused({ ...defaults, replica: 3 }, '', 'additionalProperties')
    refused(withValue('image.pullPolicy', 'Sometimes'), '/image/pullPolicy', 'enum')
    refused(withValue('image.repository', ''), '/image/repository', 'minLength')
    refused(withValue('watchNamespace', 'Tenant_A'), '/watchNamespace', 'pattern')
    refused(withValue('healthPort', 70000), '/healthPort', 'maximum')
    refused(withValue('resources.limits', { memory: '1 GB' }), '/resources/limits/memory', 'pattern')
    refused(withValue('resources.limit', { memory: '1Gi' }), '/resources', 'additionalProperties')
    refused(withValue('tolerations', [{ key: 'telephony', effekt: 'NoSchedule' }]), '/tolerations/0', 'additionalProperties')
    refused(withValue('podDisruptionBudget.maxUnavailable', 0), '/podDisruptionBudget/maxUnavailable', 'anyOf')
    refused(withValue('metrics.serviceMonitor.interval', 'often'), '/metrics/serviceMonitor/interval', 'pattern')
    refused(withValue('networkPolicy.apiServer.cidrs', ['10.0.0.1']), '/networkPolicy/apiServer/cidrs/0', 'pattern')
  })

  it('accepts reasonable variations', () => {
    for (const values of [
      withValue('podDisruptionBudget.maxUnavailable', '50%'),
      withValue('resources.limits', { cpu: 2, memory: '1.5Gi' }),
      withValue('tolerations', [{ key: 'telephony', operator: 'Exists', effect: 'NoSchedule' }]),
      withValue('networkPolicy.extraEgress', [{ to: [{ ipBlock: { cidr: '10.20.0.30/32' } }], ports: [{ port: 6379 }] }]),
      withValue('watchNamespace', 'callcenter'),
    ]) {
      assert.deepEqual(errorsOf(values), [])
    }
  })
})
