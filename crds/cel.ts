// Evaluates a schema's x-kubernetes-validations rules the way the apiserver does, so that the ajv
// validators and the apiserver refuse the same objects with the same messages. Besides standard CEL,
// rules may use the Kubernetes list function sum().
import { celEnv, celMethod, CelScalar, isCelError, listType, parse, plan, type CelInput } from '@bufbuild/cel'
import type { CelRule } from './schema/common.ts'

const sumOfInts = celMethod('sum', listType(CelScalar.INT), [], CelScalar.INT, function () {
  let total = 0n
  for (const value of this) total += value as bigint
  return total
})

const env = celEnv({ funcs: [sumOfInts] })

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
  /** true when self satisfies the rule; throws when the rule cannot be evaluated on it. */
  holds(self: unknown): boolean
}

export function compileRule(rule: CelRule): CompiledRule {
  const evaluate = plan(env, parse(rule.rule))
  return {
    rule,
    holds(self: unknown): boolean {
      const result = evaluate({ self: toCel(self) })
      if (isCelError(result)) throw new Error(`rule ${JSON.stringify(rule.rule)} could not be evaluated: ${result.message}`)
      if (typeof result !== 'boolean') throw new Error(`rule ${JSON.stringify(rule.rule)} did not give a bool`)
      return result
    },
  }
}

/** Transition rules (those reading oldSelf) need the previous object; only the apiserver checks them. */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule)
}
