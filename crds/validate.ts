// ajv validators for the five kinds, from the same schemas as the CRDs. They apply the CEL rules and
// list-map/set uniqueness too, so an object the validators accept is one the apiserver accepts on create.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { compileRule, isTransitionRule } from './cel.ts'
import { API_VERSION, kinds, type KindDefinition } from './kinds.ts'
import type { CelRule } from './schema/common.ts'

function listKeyOf(item: unknown, keys: string[]): string {
  const record = (item ?? {}) as Record<string, unknown>
  return JSON.stringify(keys.map((key) => record[key]))
}

// instancePath and schemaPath are left out so that ajv fills them in with the failing value's path.
function keywordError(keyword: string, message: string, params: Record<string, unknown>): ErrorObject {
  return { keyword, message, params } as ErrorObject
}

function makeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true })
  formatsPlugin.default(ajv, ['date-time'])
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    compile(rules: CelRule[]) {
      const compiled = rules.filter((rule) => !isTransitionRule(rule)).map(compileRule)
      const check = (self: unknown): boolean => {
        check.errors = compiled.flatMap(({ rule, violation }) => {
          const message = violation(self)
          return message === undefined
            ? []
            : [keywordError('x-kubernetes-validations', message, { rule: rule.rule, fieldPath: rule.fieldPath })]
        })
        return check.errors.length === 0
      }
      check.errors = [] as ErrorObject[]
      return check
    },
  })
  ajv.addKeyword({ keyword: 'x-kubernetes-list-map-keys', schemaType: 'array' })
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    schemaType: 'string',
    compile(listType: string, parentSchema) {
      const keys = (parentSchema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []
      const check = (list: unknown[]): boolean => {
        if (listType === 'atomic') return true
        const seen = new Set<string>()
        const duplicates: { key: string; index: number }[] = []
        list.forEach((item, index) => {
          const key = listType === 'map' ? listKeyOf(item, keys) : JSON.stringify(item)
          if (seen.has(key)) duplicates.push({ key, index })
          seen.add(key)
        })
        check.errors = duplicates.map(({ key, index }) =>
          keywordError('x-kubernetes-list-type', `Duplicate value: ${key}`, { fieldPath: `[${index}]` }),
        )
        return duplicates.length === 0
      }
      check.errors = [] as ErrorObject[]
      return check
    },
  })
  return ajv
}

function resourceSchema(def: KindDefinition) {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { const: API_VERSION },
      kind: { const: def.kind },
      metadata: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 253 } },
      },
      spec: def.spec,
      status: def.status,
    },
    additionalProperties: false,
    ...(def.objectRules ? { 'x-kubernetes-validations': def.objectRules } : {}),
  }
}

export interface ValidationProblem {
  /** Path of the offending field in the apiserver's notation, e.g. spec.sites[0].weight. */
  path: string
  message: string
}

export type ValidationResult = { valid: true } | { valid: false; problems: ValidationProblem[] }

function apiserverPath(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
  let path = ''
  for (const segment of segments) path += /^\d+$/.test(segment) ? `[${segment}]` : path ? `.${segment}` : segment
  const fieldPath = error.params['fieldPath'] as string | undefined
  if (fieldPath) path += path ? fieldPath : fieldPath.replace(/^\./, '')
  if (error.keyword === 'additionalProperties') path += `${path ? '.' : ''}${String(error.params['additionalProperty'])}`
  if (error.keyword === 'required') path += `${path ? '.' : ''}${String(error.params['missingProperty'])}`
  return path || '(root)'
}

/** The apiserver's wording for each failed keyword, so both refuse an object with the same message. */
function describe(error: ErrorObject, path: string): string {
  const limit = error.params['limit'] as number
  const actual = error.data
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${path}"`
    case 'required':
      return 'Required value'
    case 'enum': {
      const allowed = (error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')
      return `Unsupported value: ${JSON.stringify(actual)}: supported values: ${allowed}`
    }
    case 'minimum':
      return `Invalid value: ${JSON.stringify(actual)}: ${path} in body should be greater than or equal to ${limit}`
    case 'maximum':
      return `Invalid value: ${JSON.stringify(actual)}: ${path} in body should be less than or equal to ${limit}`
    case 'minLength':
      return `Invalid value: ${JSON.stringify(actual)}: ${path} in body should be at least ${limit} chars long`
    case 'maxLength':
      return `Too long: may not be more than ${limit} bytes`
    case 'minItems':
      return `Invalid value: ${(actual as unknown[]).length}: ${path} in body should have at least ${limit} items`
    case 'maxItems':
      return `Too many: ${(actual as unknown[]).length}: must have at most ${limit} items`
    case 'type':
      return `Invalid value: ${JSON.stringify(actual)}: ${path} in body must be of type ${String(error.params['type'])}`
    default:
      return error.message ?? error.keyword
  }
}

const ajv = makeAjv()
const validators = new Map<string, ValidateFunction>()

function validatorFor(kind: string): ValidateFunction | undefined {
  let validator = validators.get(kind)
  if (!validator) {
    const def = kinds.find((k) => k.kind === kind)
    if (!def) return undefined
    validator = ajv.compile(resourceSchema(def))
    validators.set(kind, validator)
  }
  return validator
}

/** Validates one object of any of the five kinds. */
export function validateResource(object: unknown): ValidationResult {
  const kind = (object as { kind?: unknown } | null)?.kind
  const validator = typeof kind === 'string' ? validatorFor(kind) : undefined
  if (!validator) {
    return {
      valid: false,
      problems: [{ path: 'kind', message: `must be one of ${kinds.map((k) => k.kind).join(', ')}, got ${JSON.stringify(kind)}` }],
    }
  }
  if (validator(object)) return { valid: true }
  const problems = (validator.errors ?? []).map((error) => {
    const path = apiserverPath(error)
    return { path, message: describe(error, path) }
  })
  return { valid: false, problems }
}

export function formatProblems(problems: ValidationProblem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n')
}
