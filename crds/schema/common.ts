// Building blocks shared by the five kinds. Every helper takes a description, because every field of
// the API must read well in `kubectl explain`.
import Type, { type TSchema, type TUnsafe } from 'typebox'

export interface CelRule {
  rule: string
  message: string
  /** Field path (relative to the schema the rule sits on) the apiserver reports the error at. */
  fieldPath?: string
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate'
}

export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'

export function stringEnum<const V extends readonly string[]>(
  values: V,
  options: { description: string; default?: V[number] },
): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options })
}

/** A string map (labels, node selectors): rendered as additionalProperties, as Kubernetes wants. */
export function stringMap(description: string, maxProperties = 32): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    maxProperties,
    additionalProperties: { type: 'string', description: 'A label value.', maxLength: 253 },
  })
}

/** The name of another object in this namespace (a Site, a SkillGroup, a Secret). */
export function objectName(description: string, what: string) {
  return Type.String({
    description,
    minLength: 1,
    maxLength: 63,
    'x-kubernetes-validations': [
      {
        rule: `self.matches('${DNS_LABEL_PATTERN}')`,
        message: `must be the name of a ${what}: lower-case letters, digits and '-', starting and ending with a letter or digit`,
      },
    ],
  })
}

/** A field that identifies the object and must never change once set. */
export function immutable<T extends TSchema>(schema: T, field: string, why: string): T {
  const rules = ((schema as Record<string, unknown>)['x-kubernetes-validations'] as CelRule[] | undefined) ?? []
  return {
    ...schema,
    'x-kubernetes-validations': [...rules, { rule: 'self == oldSelf', message: `${field} is immutable: ${why}` }],
  }
}

export function digits(description: string, minLength: number, maxLength: number, what: string) {
  return Type.String({
    description,
    minLength,
    maxLength,
    'x-kubernetes-validations': [{ rule: "self.matches('^[0-9]+$')", message: `${what} must contain digits only (0-9)` }],
  })
}

export function hostAddress(description: string) {
  return Type.String({
    description,
    minLength: 1,
    maxLength: 253,
    'x-kubernetes-validations': [
      {
        rule: "self.matches('^([0-9]{1,3}(\\\\.[0-9]{1,3}){3}|\\\\[[0-9a-fA-F:]+\\\\]|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$')",
        message: 'must be an IPv4 address, a bracketed IPv6 address or a lower-case DNS name',
      },
    ],
  })
}

export function port(description: string, defaultPort?: number) {
  return Type.Integer({ description, minimum: 1, maximum: 65535, ...(defaultPort ? { default: defaultPort } : {}) })
}

export function httpUrl(description: string) {
  return Type.String({
    description,
    minLength: 1,
    maxLength: 2048,
    'x-kubernetes-validations': [
      { rule: "self.matches('^https?://[^\\\\s/?#]+([/?#][^\\\\s]*)?$')", message: 'must be an http:// or https:// URL' },
    ],
  })
}

export function secretKeyRef(description: string) {
  return Type.Object(
    {
      name: objectName('Name of the Secret in this namespace.', 'Secret'),
      key: Type.String({
        description: 'Key within the Secret.',
        minLength: 1,
        maxLength: 253,
        'x-kubernetes-validations': [
          { rule: "self.matches('^[-._a-zA-Z0-9]+$')", message: "must be a Secret key: letters, digits, '-', '_' or '.'" },
        ],
      }),
    },
    { description, additionalProperties: false },
  )
}

export const Condition = Type.Object(
  {
    type: Type.String({ description: 'Type of condition, e.g. Ready, Provisioned, Degraded.', maxLength: 316 }),
    status: stringEnum(['True', 'False', 'Unknown'], { description: 'Status of the condition.' }),
    observedGeneration: Type.Optional(Type.Integer({ description: 'The .metadata.generation the condition was set from.', minimum: 0 })),
    lastTransitionTime: Type.String({ description: 'When the status last changed.', format: 'date-time' }),
    reason: Type.String({ description: 'Machine-readable, CamelCase reason for the last transition.', maxLength: 1024 }),
    message: Type.String({ description: 'Human-readable details of the last transition.', maxLength: 32768 }),
  },
  { description: 'A standard Kubernetes condition.', additionalProperties: false },
)

export function conditions() {
  return Type.Array(Condition, {
    description: 'Latest observations of the object, one per type (Ready, Provisioned, Degraded, ...).',
    maxItems: 16,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  })
}

export const observedGeneration = Type.Integer({
  description: 'The .metadata.generation the status was computed from.',
  minimum: 0,
})

export const timestamp = (description: string) => Type.String({ description, format: 'date-time' })
