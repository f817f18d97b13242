import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import Type from 'typebox'
import { parse } from 'yaml'
import { kindDefinition, kinds } from './kinds.ts'
import { fieldRows, referencePage, referencePages, tableCell, type FieldRow } from './reference-docs.ts'
import { firstExamples } from './reference-docs-examples.ts'
import { immutable, objectName, stringEnum, stringMap, type CelRule } from './schema/common.ts'

type Node = Record<string, unknown>

const root = fileURLToPath(new URL('..', import.meta.url))

/** Every property below a schema with its path, found independently of the generator. */
function properties(node: Node, path: string, out: { path: string; node: Node }[] = []): { path: string; node: Node }[] {
  const object = node['type'] === 'array' ? (node['items'] as Node) : node
  const prefix = node['type'] === 'array' ? `${path}[]` : path
  for (const [name, child] of Object.entries((object['properties'] ?? {}) as Record<string, Node>)) {
    out.push({ path: `${prefix}.${name}`, node: child })
    properties(child, `${prefix}.${name}`, out)
  }
  return out
}

/** The cells of a Markdown table row, splitting at pipes that are not escaped. */
function cells(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim())
}

function rowOf(page: string, path: string): string[] {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`| \`${path}\` |`))
  assert.ok(line, `no row for ${path}`)
  return cells(line)
}

describe('the API reference generator', () => {
  const sample = Type.Object(
    {
      id: immutable(Type.String({ description: 'The id.', minLength: 1, maxLength: 8 }), 'id', 'other objects refer to it'),
      mode: stringEnum(['Managed', 'External'], { description: 'How it runs.', default: 'Managed' }),
      labels: Type.Optional(stringMap('Node labels.', 4)),
      pools: Type.Optional(
        Type.Array(
          Type.Object(
            {
              name: objectName('Pool name.', 'pool'),
              size: Type.Optional(Type.Integer({ description: 'How many | at most.', minimum: 1, maximum: 10, default: 3 })),
            },
            {
              description: 'A pool.',
              'x-kubernetes-validations': [{ rule: 'self.size > 0', message: 'a pool must not be empty' } satisfies CelRule],
            },
          ),
          { description: 'The pools.', maxItems: 5, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
        ),
      ),
    },
    { description: 'A sample.' },
  )

  it('lists every field with its type, whether it is required, its default and its rules', () => {
    const rows = new Map(fieldRows(sample, 'spec').map((row): [string, FieldRow] => [row.path, row]))
    assert.deepEqual([...rows.keys()], ['spec.id', 'spec.mode', 'spec.labels', 'spec.pools', 'spec.pools[].name', 'spec.pools[].size'])
    assert.deepEqual(rows.get('spec.id'), {
      path: 'spec.id',
      type: 'string',
      required: true,
      constraints: ['1 to 8 characters.', '**Immutable**: other objects refer to it.'],
      description: 'The id.',
    })
    assert.equal(rows.get('spec.mode')?.default, 'Managed')
    assert.deepEqual(rows.get('spec.mode')?.constraints, ['One of `Managed`, `External`.'])
    assert.equal(rows.get('spec.labels')?.type, 'map[string]string')
    assert.equal(rows.get('spec.labels')?.required, false)
    assert.deepEqual(rows.get('spec.labels')?.constraints, ['At most 4 entries.', 'Each value: At most 253 characters.'])
    assert.equal(rows.get('spec.pools')?.type, '[]object')
    assert.deepEqual(rows.get('spec.pools')?.constraints, [
      'At most 5 items.',
      'Keyed by `name`: server-side apply merges items by key.',
      'Each item: Rule: "a pool must not be empty".',
    ])
    assert.equal(rows.get('spec.pools[].name')?.required, true)
    assert.match(rows.get('spec.pools[].name')?.constraints.join(' ') ?? '', /Rule: "must be the name of a pool/)
    assert.equal(rows.get('spec.pools[].size')?.default, '3')
    assert.deepEqual(rows.get('spec.pools[].size')?.constraints, ['Range 1 to 10.'])
  })

  it('keeps a pipe or a line break in a description inside its table cell', () => {
    assert.equal(tableCell('a | b\n  c \\ d'), 'a \\| b c \\\\ d')
    const page = referencePage({ ...kindDefinition('Site'), spec: sample, status: Type.Object({}, { description: 'None.' }) }, undefined)
    const row = rowOf(page, 'spec.pools[].size')
    assert.equal(row.length, 5)
    assert.match(row[4] ?? '', /How many \\\| at most\./)
    assert.doesNotMatch(page, /## Example/)
  })

  for (const def of kinds) {
    describe(`the ${def.kind} page`, () => {
      const page = referencePage(def, firstExamples(root, 'examples/two-site').get(def.kind))

      it('has a row for every field of spec and status, with its description', () => {
        for (const part of ['spec', 'status'] as const) {
          for (const { path, node } of properties(def[part] as Node, part)) {
            const row = rowOf(page, path)
            assert.equal(row.length, 5, `${path}: ${row.join(' | ')}`)
            assert.ok(row[4]?.startsWith(tableCell(String(node['description']))), `${path} lacks its description`)
            if (node['default'] !== undefined) assert.notEqual(row[3], '', `${path} lacks its default`)
          }
        }
      })

      it('states every validation rule by its message', () => {
        const messages = JSON.stringify([def.spec, def.status, def.objectRules ?? []])
          .match(/"message":"(?:[^"\\]|\\.)*"/g)
          ?.map((match) => (JSON.parse(`{${match}}`) as { message: string }).message)
        for (const message of messages ?? []) {
          const shown = / is immutable: /.test(message) ? message.replace(/^.* is immutable: /, '') : message
          assert.ok(page.includes(tableCell(shown)), `${def.kind} page lacks the rule message "${message}"`)
        }
      })

      it('shows an example of the kind from examples/two-site', () => {
        const example = /```yaml\n([\s\S]*?)```/.exec(page)?.[1]
        assert.ok(example !== undefined, 'no example')
        const object = parse(example) as { kind: string; apiVersion: string }
        assert.equal(object.kind, def.kind)
        assert.equal(object.apiVersion, 'callcenter.dev/v1alpha1')
      })
    })
  }

  it('marks exactly the fields that may not change as immutable', () => {
    const pages = referencePages(kinds, new Map())
    const immutableRows = [...pages.values()].flatMap((page) =>
      page.split('\n').filter((line) => line.startsWith('| `') && line.includes('**Immutable**')),
    )
    assert.deepEqual(
      immutableRows.map((line) => cells(line)[0]),
      ['`spec.agentId`', '`spec.mac`'],
    )
  })

  it('writes an index and one page per kind, linked from the index', () => {
    const pages = referencePages(kinds, new Map())
    assert.deepEqual(
      [...pages.keys()],
      [
        'docs/reference/README.md',
        'docs/reference/site.md',
        'docs/reference/trunk.md',
        'docs/reference/skillgroup.md',
        'docs/reference/agentseat.md',
        'docs/reference/phonemac.md',
      ],
    )
    const index = pages.get('docs/reference/README.md') ?? ''
    for (const def of kinds) assert.ok(index.includes(`[${def.kind}](${def.singular}.md)`), `index does not link ${def.kind}`)
  })
})
