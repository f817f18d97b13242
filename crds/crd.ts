// Pure: turns a kind's TypeBox schemas into a CustomResourceDefinition object.
import { API_VERSION, CATEGORY, GROUP, VERSION, type KindDefinition } from './kinds.ts'

type JsonSchema = Record<string, unknown>

/** Copies a JSON schema into the structural form the apiserver accepts, keeping key order stable. */
export function toStructural(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    // The validators reject unknown fields; a structural CRD schema may not say so (the apiserver
    // prunes or, with strict field validation, rejects them itself).
    if (key === 'additionalProperties' && value === false) continue
    if (key === 'properties') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([name, sub]) => [name, toStructural(sub)]))
    } else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object' && value !== null) {
      out[key] = toStructural(value as JsonSchema)
    } else {
      out[key] = structuredClone(value)
    }
  }
  return out
}

export function customResourceDefinition(def: KindDefinition): JsonSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'callcenter-operator' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: def.description,
              required: ['spec'],
              properties: {
                apiVersion: {
                  type: 'string',
                  description: `APIVersion of this object: ${API_VERSION}.`,
                },
                kind: { type: 'string', description: `Kind of this object: ${def.kind}.` },
                metadata: { type: 'object' },
                spec: toStructural(def.spec as JsonSchema),
                status: toStructural(def.status as JsonSchema),
              },
              ...(def.objectRules ? { 'x-kubernetes-validations': structuredClone(def.objectRules) } : {}),
            },
          },
        },
      ],
    },
  }
}
