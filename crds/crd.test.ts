import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import { compileRule } from './cel.ts'
import { customResourceDefinition } from './crd.ts'
import { generatedFiles, repositoryPath } from './generate.ts'
import { kinds } from './kinds.ts'
import type { CelRule } from './schema/common.ts'

type Node = Record<string, unknown>

/** Visits every schema node below a CRD's spec and status, with its path. */
function walk(node: Node, path: string, visit: (node: Node, path: string) => void): void {
  visit(node, path)
  for (const [name, child] of Object.entries((node['properties'] ?? {}) as Record<string, Node>)) walk(child, `${path}.${name}`, visit)
  if (node['items']) walk(node['items'] as Node, `${path}[]`, visit)
  if (typeof node['additionalProperties'] === 'object') walk(node['additionalProperties'] as Node, `${path}{}`, visit)
}

function everyField(visit: (node: Node, path: string) => void): void {
  for (const def of kinds) {
    const crd = customResourceDefinition(def) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } }
    const root = crd.spec.versions[0]?.schema.openAPIV3Schema.properties as Record<string, Node>
    for (const part of ['spec', 'status']) walk(root[part] as Node, `${def.kind}.${part}`, visit)
  }
}

describe('generated CRDs', () => {
  it('are the checked-in files, byte for byte, and the same on every run', () => {
    const first = generatedFiles()
    assert.deepEqual(generatedFiles(), first)
    for (const [path, content] of first) {
      assert.equal(readFileSync(repositoryPath(path), 'utf8'), content, `${path} is stale: run npm run generate`)
    }
  })

  it('describe every field, so kubectl explain reads well', () => {
    const missing: string[] = []
    everyField((node, path) => {
      const description = node['description']
      if (typeof description !== 'string' || description.length < 8) missing.push(path)
    })
    assert.deepEqual(missing, [])
  })

  it('bound every string and list, so CEL cost stays within the apiserver budget', () => {
    const unbounded: string[] = []
    everyField((node, path) => {
      if (node['type'] === 'string' && !('maxLength' in node) && !('enum' in node) && node['format'] !== 'date-time') unbounded.push(path)
      if (node['type'] === 'array' && !('maxItems' in node)) unbounded.push(path)
    })
    assert.deepEqual(unbounded, [])
  })

  it('give every list a list type, so server-side apply merges lists of objects by key', () => {
    const untyped: string[] = []
    everyField((node, path) => {
      if (node['type'] !== 'array') return
      const listType = node['x-kubernetes-list-type']
      const itemIsObject = (node['items'] as Node)['type'] === 'object'
      if (!listType || (itemIsObject && listType !== 'map')) untyped.push(`${path}: ${String(listType)}`)
    })
    assert.deepEqual(untyped, [])
  })

  it('are structural: no additionalProperties false or uniqueItems', () => {
    for (const [path, content] of generatedFiles()) {
      if (!path.endsWith('.yaml')) continue
      assert.doesNotMatch(content, /additionalProperties: false|uniqueItems/)
      assert.ok(parse(content))
    }
  })

  it('carry CEL rules that all compile, each with a message', () => {
    let count = 0
    const check = (rules: CelRule[], path: string) => {
      for (const rule of rules) {
        assert.ok(rule.message.length > 10, `${path}: ${rule.rule} has a message`)
        assert.doesNotThrow(() => compileRule(rule), `${path}: ${rule.rule}`)
        count++
      }
    }
    everyField((node, path) => check((node['x-kubernetes-validations'] ?? []) as CelRule[], path))
    for (const def of kinds) {
      const crd = customResourceDefinition(def) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } }
      const root = crd.spec.versions[0]?.schema.openAPIV3Schema
      check((root?.['x-kubernetes-validations'] ?? []) as CelRule[], def.kind)
    }
    assert.ok(count >= 30, `${count} rules`)
  })

  it('have status subresources, short names, the callcenter category and printer columns', () => {
    for (const def of kinds) {
      const crd = customResourceDefinition(def) as {
        spec: {
          names: { categories: string[]; shortNames: string[] }
          versions: { subresources: object; additionalPrinterColumns: unknown[] }[]
        }
      }
      assert.deepEqual(crd.spec.names.categories, ['callcenter'])
      assert.ok(crd.spec.names.shortNames.length > 0)
      const [version] = crd.spec.versions
      assert.ok(version)
      assert.deepEqual(version.subresources, { status: {} })
      assert.ok(version.additionalPrinterColumns.length >= 4, def.kind)
    }
  })
})
