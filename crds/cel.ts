// Evaluates a schema's x-kubernetes-validations rules the way the apiserver does, so that the ajv
// validators and the apiserver refuse the same objects with the same messages. Besides standard CEL,
// rules may use the Kubernetes list functions sum() and isSorted() on lists of ints.
import { celEnv, celMethod, CelScalar, isCelError, listType, parse, plan, type CelInput } from '@bufbuild/cel'
import type { CelRule } from './schema/common.ts'

const sumOfInts = celMethod('sum', listType(CelScalar.INT), [], CelScalar.INT, function () {
  let total = 0n
  for (const value of this) total += value as bigint
  return total
})

const intsSorted = celMethod('isSorted', listType(CelScalar.INT), [], CelScalar.BOOL, function () {
  let previous: bigint | undefined
  for (const value of this) {
    if (previous !== undefined && (value as bigint) < previous) return false
    previous = value as bigint
  }
  return true
})

const env = celEnv({ funcs: [sumOfInts, intsSorted] })

/** JSON (as the apiserver decodes it) to CEL values: objects become maps, whole numbers ints. */
export function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel)
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([key, item]) => [key, toCel(item)]))
  }
  return value as CelInput
}

export interface CompiledRule {
  rule: CelRule
  /** Why self breaks the rule (its message, or why it could not be evaluated); undefined when it holds. */
  violation: (self: unknown) => string | undefined
}

export function compileRule(rule: CelRule): CompiledRule {
  const evaluate = plan(env, parse(rule.rule))
  return {
    rule,
    violation: (self: unknown): string | undefined => {
      const result = evaluate({ self: toCel(self) })
      if (result === true) return undefined
      if (result === false) return rule.message
      const why = isCelError(result) ? result.message : `gave a ${typeof result} instead of a bool`
      return `${rule.message} (rule ${JSON.stringify(rule.rule)} could not be evaluated: ${why})`
    },
  }
}

/** Transition rules (those reading oldSelf) need the previous object; only the apiserver checks them. */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule)
}
