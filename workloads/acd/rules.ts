// A SkillGroup's CEL rules: eligibility over `agent` and `call`, priority over `call`. Compiling is pure
// and refuses a rule that does not parse or that names a variable it cannot see, saying which rule and
// where (line and column) so the operator can put it in a Ready=False condition.
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel'
import type { SkillGroupSpec } from './model.ts'

export type RuleName = 'eligibility' | 'priority'

export interface RuleProblem {
  rule: RuleName
  expression: string
  /** 1-based, like the CEL parser reports it. */
  line: number
  column: number
  message: string
}

export interface CompiledRules {
  hasEligibility: boolean
  hasPriority: boolean
  /**
   * The call fields the eligibility rule reads, when it reads the call only as `call.<field>`: the
   * rule's answer for an agent is then the same for every call with the same values in those fields,
   * which lets the engine remember it. Undefined when the rule uses `call` in another way.
   */
  eligibilityCallFields?: readonly string[]
  /** Whether the agent may take the call; true when there is no rule. A rule that fails to evaluate says no. */
  isEligible(agent: CelInput, call: CelInput): boolean
  /** The call's priority (higher first); 0 when there is no rule or it fails to evaluate. */
  priorityOf(call: CelInput): number
  /** Evaluation failures so far (e.g. a field the call does not have); the last one's text. */
  evaluationErrors: number
  lastEvaluationError?: string
}

export type CompileResult = { ok: true; rules: CompiledRules } | { ok: false; problems: RuleProblem[] }

const VARIABLES: Record<RuleName, readonly string[]> = { eligibility: ['agent', 'call'], priority: ['call'] }

const env = celEnv()

type ParsedExpr = ReturnType<typeof parse>
type Expr = ParsedExpr['expr']

/** "rules.eligibility: ... at line 1, column 19 (in "agent.proficiency >= ")" */
export function describeProblem(problem: RuleProblem): string {
  return `rules.${problem.rule}: ${problem.message} at line ${problem.line}, column ${problem.column} (in ${JSON.stringify(problem.expression)})`
}

function lineAndColumn(expression: string, codePointOffset: number): { line: number; column: number } {
  let line = 1
  let column = 1
  let index = 0
  for (const char of expression) {
    if (index++ >= codePointOffset) break
    if (char === '\n') {
      line++
      column = 1
    } else column++
  }
  return { line, column }
}

interface PegLocation {
  start: { line: number; column: number }
}

function parseProblem(rule: RuleName, expression: string, error: unknown): RuleProblem {
  const located = error as { location?: PegLocation; rawMessage?: string; message?: string }
  const message = located.rawMessage ?? located.message ?? String(error)
  const start = located.location?.start ?? { line: 1, column: 1 }
  return { rule, expression, line: start.line, column: start.column, message: `does not compile: ${message}` }
}

/** Identifiers that are neither the rule's variables nor bound by a macro (exists, all, map, ...). */
function unknownIdentifiers(expr: Expr | undefined, known: ReadonlySet<string>, found: { name: string; id: bigint }[]): void {
  if (expr === undefined) return
  const kind = expr.exprKind
  switch (kind.case) {
    case 'identExpr':
      if (!known.has(kind.value.name)) found.push({ name: kind.value.name, id: expr.id })
      return
    case 'selectExpr':
      unknownIdentifiers(kind.value.operand, known, found)
      return
    case 'callExpr':
      unknownIdentifiers(kind.value.target, known, found)
      for (const arg of kind.value.args) unknownIdentifiers(arg, known, found)
      return
    case 'listExpr':
      for (const element of kind.value.elements) unknownIdentifiers(element, known, found)
      return
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') unknownIdentifiers(entry.keyKind.value, known, found)
        unknownIdentifiers(entry.value, known, found)
      }
      return
    case 'comprehensionExpr': {
      const c = kind.value
      unknownIdentifiers(c.iterRange, known, found)
      const inner = new Set([...known, c.iterVar, c.iterVar2, c.accuVar].filter((name) => name !== ''))
      for (const part of [c.accuInit, c.loopCondition, c.loopStep, c.result]) unknownIdentifiers(part, inner, found)
      return
    }
    default:
      return
  }
}

/** Fields read as `call.<field>`; undefined when `call` is used any other way (whole, indexed, passed on). */
function callFieldsRead(expr: Expr | undefined, fields: Set<string>): boolean {
  if (expr === undefined) return true
  const kind = expr.exprKind
  switch (kind.case) {
    case 'identExpr':
      return kind.value.name !== 'call'
    case 'selectExpr': {
      const operand = kind.value.operand?.exprKind
      if (operand?.case === 'identExpr' && operand.value.name === 'call') {
        fields.add(kind.value.field)
        return true
      }
      return callFieldsRead(kind.value.operand, fields)
    }
    case 'callExpr':
      return callFieldsRead(kind.value.target, fields) && kind.value.args.every((arg) => callFieldsRead(arg, fields))
    case 'listExpr':
      return kind.value.elements.every((element) => callFieldsRead(element, fields))
    case 'structExpr':
      return kind.value.entries.every(
        (entry) => (entry.keyKind.case !== 'mapKey' || callFieldsRead(entry.keyKind.value, fields)) && callFieldsRead(entry.value, fields),
      )
    case 'comprehensionExpr': {
      const c = kind.value
      if ([c.iterVar, c.iterVar2, c.accuVar].includes('call')) return false
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].every((part) => callFieldsRead(part, fields))
    }
    default:
      return true
  }
}

interface CompiledOne {
  evaluate: (bindings: Record<string, CelInput>) => unknown
  callFields?: string[]
}

function compileOne(rule: RuleName, expression: string): CompiledOne | RuleProblem {
  let parsed: ParsedExpr
  try {
    parsed = parse(expression)
  } catch (error) {
    return parseProblem(rule, expression, error)
  }
  const unknown: { name: string; id: bigint }[] = []
  unknownIdentifiers(parsed.expr, new Set(VARIABLES[rule]), unknown)
  const first = unknown[0]
  if (first !== undefined) {
    const offset = parsed.sourceInfo?.positions[String(first.id)] ?? 0
    const available = VARIABLES[rule].map((name) => `\`${name}\``).join(' and ')
    return {
      rule,
      expression,
      ...lineAndColumn(expression, offset),
      message: `uses unknown variable \`${first.name}\` (a ${rule} rule can use ${available})`,
    }
  }
  const evaluate = plan(env, parsed)
  const fields = new Set<string>()
  const cacheable = callFieldsRead(parsed.expr, fields)
  return { evaluate: (bindings) => evaluate(bindings), callFields: cacheable ? [...fields].sort() : undefined }
}

function isProblem(value: unknown): value is RuleProblem {
  return typeof value === 'object' && value !== null && 'message' in value && 'rule' in value
}

/** Compiles a SkillGroup's rules once; the result evaluates them per call and candidate. */
export function compileSkillGroupRules(spec: Pick<SkillGroupSpec, 'rules'>): CompileResult {
  const eligibilitySource = spec.rules?.eligibility
  const prioritySource = spec.rules?.priority
  const eligibility = eligibilitySource === undefined ? undefined : compileOne('eligibility', eligibilitySource)
  const priority = prioritySource === undefined ? undefined : compileOne('priority', prioritySource)
  const problems = [eligibility, priority].filter(isProblem)
  if (problems.length > 0) return { ok: false, problems }
  const eligibilityRule = isProblem(eligibility) ? undefined : eligibility
  const priorityRule = isProblem(priority) ? undefined : priority

  const rules: CompiledRules = {
    hasEligibility: eligibilityRule !== undefined,
    hasPriority: priorityRule !== undefined,
    eligibilityCallFields: eligibilityRule?.callFields,
    evaluationErrors: 0,
    isEligible(agent, call) {
      if (eligibilityRule === undefined) return true
      const result = eligibilityRule.evaluate({ agent, call })
      if (result === true) return true
      if (result !== false) failed('eligibility', result)
      return false
    },
    priorityOf(call) {
      if (priorityRule === undefined) return 0
      const result = priorityRule.evaluate({ call })
      if (typeof result === 'bigint') return Number(result)
      if (typeof result === 'number' && Number.isFinite(result)) return result
      failed('priority', result)
      return 0
    },
  }
  function failed(rule: RuleName, result: unknown): void {
    rules.evaluationErrors++
    const why = isCelError(result) ? result.message : `gave ${typeof result} instead of ${rule === 'eligibility' ? 'a bool' : 'a number'}`
    rules.lastEvaluationError = `rules.${rule}: ${why}`
  }
  return { ok: true, rules }
}
